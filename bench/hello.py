"""The ceiling: the smallest Flask app, served by the same gunicorn settings in the same run.

Whatever Concierge does per request is measured against this "hello".
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """Hello, and nothing else."""
    return "hello"
