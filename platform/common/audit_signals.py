"""Stamp the actor label and IP on each historical row before it is written."""

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from .actor import current_actor


@receiver(pre_create_historical_record)
def stamp_actor(sender, instance, history_instance, history_user=None, **kwargs):
    if not hasattr(history_instance, "history_actor"):
        return
    actor = current_actor()
    if actor is not None and actor.label:
        history_instance.history_actor = actor.label
        history_instance.history_ip = actor.ip
    elif history_user is not None:
        history_instance.history_actor = f"user:{history_user.email}"
    if not history_instance.history_ip and actor is not None:
        history_instance.history_ip = actor.ip
