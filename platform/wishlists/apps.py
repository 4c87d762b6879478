from django.apps import AppConfig


class WishlistsConfig(AppConfig):
    name = "wishlists"
    verbose_name = "Wishlists"
