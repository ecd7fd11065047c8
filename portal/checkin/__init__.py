"""Arrival at the venue: kiosk devices, check-ins and badges, shared by the kiosk and the staff console."""
