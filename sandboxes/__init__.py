"""Local emulators of the Facebook Graph, X v2 and YouTube Data v3 APIs, for tests and the demo."""
