"""Micro-wishes (微心愿): the service and the flows (wish → wall)."""
