"""Keep derived data up to date: the figure marks of article pages
(quality.figure_links) and the API's cached observation counts (api.pagination)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from api.pagination import bump_count_generation

from .figure_links import article_figures_refresh, indicator_articles_refresh
from .models import FigureProposal, Indicator, Observation, Period, Region


@receiver(post_save, sender=FigureProposal)
@receiver(post_delete, sender=FigureProposal)
def refresh_article_figures(sender, instance, **kwargs):
    article_figures_refresh(instance.article_id)


@receiver(post_save, sender=Observation)
@receiver(post_delete, sender=Observation)
@receiver(post_save, sender=Indicator)
def refresh_indicator_articles(sender, instance, **kwargs):
    indicator_id = instance.pk if sender is Indicator else instance.indicator_id
    indicator_articles_refresh(indicator_id)


@receiver(post_save, sender=Observation)
@receiver(post_delete, sender=Observation)
@receiver(post_save, sender=Indicator)
@receiver(post_delete, sender=Indicator)
@receiver(post_save, sender=Region)
@receiver(post_delete, sender=Region)
@receiver(post_save, sender=Period)
def forget_observation_counts(sender, instance, **kwargs):
    bump_count_generation("observations")
