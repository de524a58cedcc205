"""Reusable widgets the panels are built from: plots, image grids, model picker, presentation scaling."""
