"""The web app (FastAPI). Each feature provides a router factory that the app includes;
nothing is built at import time."""
