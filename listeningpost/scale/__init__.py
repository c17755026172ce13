"""Scale-out: the Ray executor for the job runner and the PostgreSQL backend for the case store."""
