"""The review queue and the interviewer's own submissions: coded columns only."""
