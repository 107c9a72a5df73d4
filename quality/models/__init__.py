"""Quality data: reference data, indicators with observations, and registries."""

from .data import Indicator, Observation, Period
from .proposals import FigureProposal
from .reference import Region, Topic, Unit
from .registries import (
    Award,
    InspectionCentre,
    MeasurementStandard,
    Organisation,
    SamplingCampaign,
    Scheme,
    Standard,
    StandardParticipation,
)
from .reports import Report, ReportChapter, ReportItem, ReportVersion

__all__ = [
    "Award",
    "FigureProposal",
    "Indicator",
    "InspectionCentre",
    "MeasurementStandard",
    "Observation",
    "Organisation",
    "Period",
    "Region",
    "Report",
    "ReportChapter",
    "ReportItem",
    "ReportVersion",
    "SamplingCampaign",
    "Scheme",
    "Standard",
    "StandardParticipation",
    "Topic",
    "Unit",
]
