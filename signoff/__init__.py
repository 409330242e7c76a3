"""Signoff: acceptance paperwork from YAML facts, as print-ready PDFs."""

__version__ = "0.1.0"
