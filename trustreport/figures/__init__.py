"""One function per chart type, one seaborn theme, one colour, marker and line style per group (Okabe–Ito
palette); one module per report section.

Every chart has a title naming the city and the then/now windows, labelled axes, and returns a closed `Chart`
(a matplotlib figure, `_theme.Chart`) so that Jupyter shows it exactly once: drawn once at the page's width,
panels stacked, one legend outside the data, count axes from 0, every covered period drawn with its zero and a
break where no source covers one, and an alt text built from the numbers it shows, which the notebook output
carries as `{"image/png": {"alt": ...}}` metadata. The theme, sizes, styles, legends, measure titles and the
then/now shading with the params' numbered events (`mark_windows_and_events`, for every time chart) live in
`_theme`; a section module imports from `_theme`, never from a sibling section.
"""

from trustreport.figures._theme import show_charts_once
from trustreport.figures.disparity import monthly, rate_ratios, rates
from trustreport.figures.force import force as force
from trustreport.figures.funnel import funnel
from trustreport.figures.homicides import homicides as homicides
from trustreport.figures.lawsuits import lawsuits as lawsuits
from trustreport.figures.outcome import outcome_scatter, veil_of_darkness
from trustreport.figures.police_killings import police_killings as police_killings
from trustreport.figures.trust import trust as trust
from trustreport.figures.workforce import workforce

show_charts_once()

__all__ = [
    "funnel",
    "monthly",
    "outcome_scatter",
    "rate_ratios",
    "rates",
    "veil_of_darkness",
    "workforce",
]
