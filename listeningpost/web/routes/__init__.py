"""The web workbench's routes, one `APIRouter` per concern; ``app.create_app`` includes them in order.

auth (login, logout, /, /api/me), calls (list with its search box, one call, media, history),
review (corrections by analysts, job retry), dashboard, admin (users, settings, audit).
"""
