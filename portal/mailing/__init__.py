"""Mail that staff write: bulk mail to a chosen group, and the desk's alerts for urgent help requests."""
