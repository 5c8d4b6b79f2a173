"""Build and publishing orchestration for the City of Trail site."""
