"""Pure domain rules (standards, classification, transitions); standard library only."""
