"""modq's background side: RQ job functions and the worker process that runs them."""
