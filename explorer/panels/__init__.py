"""Views: one panel per tab, each bound to its state object; no model logic."""
