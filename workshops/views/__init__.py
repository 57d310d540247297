"""The workshops app's views, one module per resource; `common` holds the shared helpers."""
