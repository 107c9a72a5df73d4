"""The one REST router of the site: every API endpoint under ``/api/v1/``."""

from rest_framework.routers import DefaultRouter

from api.views import ApiRootView
from news import api as news_api
from quality import api as quality_api

app_name = "api"

router = DefaultRouter()
router.APIRootView = ApiRootView
router.register("articles", news_api.ArticleViewSet, basename="article")
router.register("channels", news_api.ChannelViewSet, basename="channel")
router.register("tags", news_api.TagViewSet, basename="tag")
router.register("people", news_api.PersonViewSet, basename="person")
router.register("drafts", news_api.DraftViewSet, basename="draft")

router.register("indicators", quality_api.IndicatorViewSet, basename="indicator")
router.register("observations", quality_api.ObservationViewSet, basename="observation")
router.register("regions", quality_api.RegionViewSet, basename="region")
router.register(
    "organisations", quality_api.OrganisationViewSet, basename="organisation"
)
router.register(
    "honour-schemes", quality_api.HonourSchemeViewSet, basename="honour-scheme"
)
router.register("honours", quality_api.HonourViewSet, basename="honour")
router.register("standards", quality_api.StandardViewSet, basename="standard")
router.register(
    "inspection-centres",
    quality_api.InspectionCentreViewSet,
    basename="inspection-centre",
)
router.register(
    "measurement-standards",
    quality_api.MeasurementStandardViewSet,
    basename="measurement-standard",
)
router.register(
    "sampling-campaigns",
    quality_api.SamplingCampaignViewSet,
    basename="sampling-campaign",
)

urlpatterns = router.urls
