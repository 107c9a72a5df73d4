"""Keep derived data up to date: the figure marks of article pages
(quality.figure_links, stored with the article in the change's own transaction),
the API's cached observation counts (api.pagination) and nginx's and the CDNs'
copies of the data pages (quality.frontcache)."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from api.counts import bump_count_generation
from news import frontcache as news_frontcache
from news.models import Article

from . import frontcache, stamps
from .figure_links import figures_changed
from .models import (
    FigureProposal,
    Indicator,
    Observation,
    Period,
    Region,
    Topic,
    Unit,
)


@receiver(post_save, sender=FigureProposal)
@receiver(post_delete, sender=FigureProposal)
def refresh_article_figures(sender, instance, **kwargs):
    figures_changed(article_ids=(instance.article_id,))


@receiver(post_save, sender=Article)
def refresh_published_text_figures(
    sender, instance, raw=False, update_fields=None, **kwargs
):
    """A write of an article's row (a publication of a new version, an edit of an
    unpublished one): its marks follow the text it now holds, in the same
    transaction. Drafts over a live article write no row; a save of other fields
    only (a workflow step's status and version) leaves the text as it was."""
    if raw or (update_fields is not None and "body_text" not in update_fields):
        return
    figures_changed(article_ids=(instance.pk,))


@receiver(post_save, sender=Observation)
@receiver(post_delete, sender=Observation)
@receiver(post_save, sender=Indicator)
def refresh_indicator_articles(sender, instance, **kwargs):
    indicator_id = instance.pk if sender is Indicator else instance.indicator_id
    figures_changed(indicator_ids=(indicator_id,))


@receiver(post_save, sender=Region)
@receiver(post_save, sender=Period)
@receiver(post_save, sender=Unit)
def refresh_articles_showing(sender, instance, **kwargs):
    """A region's name, a period's label or a unit's symbol is printed in the cards."""
    if kwargs.get("created"):
        return  # nothing refers to it yet
    if sender is Unit:
        indicators = Indicator.objects.filter(unit=instance)
    else:
        field = "region" if sender is Region else "period"
        indicators = Indicator.objects.filter(**{f"observations__{field}": instance})
    figures_changed(
        indicator_ids=tuple(indicators.values_list("pk", flat=True).distinct())
    )


@receiver(post_save, sender=Observation)
@receiver(post_delete, sender=Observation)
@receiver(post_save, sender=Indicator)
@receiver(post_delete, sender=Indicator)
@receiver(post_save, sender=Region)
@receiver(post_delete, sender=Region)
@receiver(post_save, sender=Period)
def forget_observation_counts(sender, instance, **kwargs):
    bump_count_generation("observations")


@receiver(post_save, sender=Observation)
@receiver(post_delete, sender=Observation)
def refresh_data_pages(sender, instance, raw=False, **kwargs):
    """nginx's and the CDNs' copies of the pages that show it (and showed it, when
    it moved to another indicator), at commit."""
    if not raw:
        frontcache.observations_changed(instance.indicator_ids_changed)


@receiver(pre_save, sender=Indicator)
def remember_indicator_code(sender, instance, raw=False, update_fields=None, **kwargs):
    """The code its addresses carry until this save (read only when a front-end
    cache is named: otherwise a save costs what it did)."""
    instance._code_before = None  # not an earlier save's
    if raw or instance.pk is None or not news_frontcache.enabled():
        return
    if update_fields is not None and "code" not in update_fields:
        return
    instance._code_before = (
        sender.objects.filter(pk=instance.pk).values_list("code", flat=True).first()
    )


@receiver(post_save, sender=Indicator)
def refresh_indicator_pages(sender, instance, raw=False, **kwargs):
    """Its name, unit, 口径… renamed, or it hidden: its pages, at commit; its code
    changed: the old addresses too."""
    if raw:
        return
    frontcache.labels_changed(indicators=(instance.pk,))
    before = getattr(instance, "_code_before", None)
    if before is not None and before != instance.code:
        frontcache.codes_gone((before,))


@receiver(post_delete, sender=Indicator)
def refresh_deleted_indicator_pages(sender, instance, **kwargs):
    """Its pages, 404 from now on, at commit."""
    frontcache.codes_gone((instance.code,))


#: What a data page prints of each: region and period names, unit symbols and topic
#: names, on the pages of the indicators they belong to (``labels_changed``).
_PRINTED = {Region: "regions", Period: "periods", Unit: "units", Topic: "topics"}


@receiver(post_save, sender=Region)
@receiver(post_save, sender=Period)
@receiver(post_save, sender=Unit)
@receiver(post_save, sender=Topic)
def refresh_pages_printing(sender, instance, created=False, raw=False, **kwargs):
    """A region, period, unit or topic renamed: the pages of the indicators that
    print it, at commit (a new one is on no page yet)."""
    if not (raw or created):
        frontcache.labels_changed(**{_PRINTED[sender]: (instance.pk,)})


@receiver(post_save, sender=Observation)
@receiver(post_delete, sender=Observation)
@receiver(post_save, sender=Indicator)
@receiver(post_delete, sender=Indicator)
@receiver(post_save, sender=Region)
@receiver(post_delete, sender=Region)
@receiver(post_save, sender=Period)
@receiver(post_delete, sender=Period)
@receiver(post_save, sender=Unit)
@receiver(post_delete, sender=Unit)
@receiver(post_save, sender=Topic)
@receiver(post_delete, sender=Topic)
def dataset_rows_changed(sender, instance, **kwargs):
    """What the whole-dataset downloads write (their ETag: quality.stamps)."""
    stamps.dataset_changed()


@receiver(post_save, sender=Observation)
@receiver(post_delete, sender=Observation)
@receiver(post_save, sender=Indicator)
@receiver(post_delete, sender=Indicator)
@receiver(post_save, sender=Region)
@receiver(post_save, sender=Period)
@receiver(post_save, sender=Unit)
@receiver(post_save, sender=Topic)
def indicator_file_changed(sender, instance, created=False, **kwargs):
    """What an indicator's download writes (its ETag: quality.stamps): its values,
    its definition, and the names of the regions, periods, units and topics (a new
    one is in no file yet; one in use cannot be deleted)."""
    if sender is Observation:
        stamps.indicators_changed(instance.indicator_ids_changed)
    elif sender is Indicator:
        stamps.indicators_changed((instance.pk,))
    elif not created:
        stamps.labels_changed()
