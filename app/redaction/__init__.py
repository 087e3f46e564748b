"""Identifying-detail detection and pseudonymisation (pure Python, no Flask)."""

from app.redaction.detector import Detector, detect
from app.redaction.spans import IdType, Span, merge_spans

__all__ = ["Detector", "IdType", "Span", "detect", "merge_spans"]
