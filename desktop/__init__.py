"""Ally: explains a slow or broken computer in plain words and tells IT what it found."""

__version__ = "0.1.0"
PRODUCT_NAME = "Ally"
