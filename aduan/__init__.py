"""Aduan: public-service complaint management for Indonesian governments."""
