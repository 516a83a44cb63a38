"""Development tools kept apart from what ships: the demo-data generator, the
benchmark and its process monitor and profiler summary, and page screenshots.
The product (`pipelines/`, `dashboard/`) never imports them."""
