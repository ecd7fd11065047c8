"""Concierge as gunicorn serves it in the benchmark: wsgi.py's app, with one setting changed.

One paired kiosk stands in for a hall full of them, so its scan limit (60 a
minute per device, for a real kiosk) is lifted; the limiter still runs on
every scan, so its cost is measured.
"""

from portal import create_app

app = create_app()
app.config["KIOSK_SCAN_RATE_LIMIT"] = "1000000 per minute"
