"""Shenbao's local signing agent: signs PDFs with the USB-Key on this computer for Shenbao's pages."""

__version__ = "1.0.0"
