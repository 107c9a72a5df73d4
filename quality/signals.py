"""Keep derived data up to date: the figure marks of article pages
(quality.figure_links, stored with the article in the change's own transaction) and
the API's cached observation counts (api.pagination)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from api.pagination import bump_count_generation

from .figure_links import figures_changed
from .models import FigureProposal, Indicator, Observation, Period, Region


@receiver(post_save, sender=FigureProposal)
@receiver(post_delete, sender=FigureProposal)
def refresh_article_figures(sender, instance, **kwargs):
    figures_changed(article_ids=(instance.article_id,))


@receiver(post_save, sender=Observation)
@receiver(post_delete, sender=Observation)
@receiver(post_save, sender=Indicator)
def refresh_indicator_articles(sender, instance, **kwargs):
    indicator_id = instance.pk if sender is Indicator else instance.indicator_id
    figures_changed(indicator_ids=(indicator_id,))


@receiver(post_save, sender=Observation)
@receiver(post_delete, sender=Observation)
@receiver(post_save, sender=Indicator)
@receiver(post_delete, sender=Indicator)
@receiver(post_save, sender=Region)
@receiver(post_delete, sender=Region)
@receiver(post_save, sender=Period)
def forget_observation_counts(sender, instance, **kwargs):
    bump_count_generation("observations")
