"""The state layer: QObjects that hold what the app knows and emit when it changes; no widget."""
