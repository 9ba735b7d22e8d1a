"""The reference dashboard (`cxpipe dashboard`) and the weekly stakeholder report: both read the
published snapshot only, and get every number from the semantic layer (dashboard/semantic.py)."""
