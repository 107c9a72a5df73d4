from django.apps import AppConfig


class PeerConfig(AppConfig):
    name = "wagtail_peer.peer"
    label = "peer"
