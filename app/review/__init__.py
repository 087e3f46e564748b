"""The redaction editor, its second sweep, sealed versioned layers and four-eyes approval."""
