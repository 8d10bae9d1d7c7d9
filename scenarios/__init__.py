"""Scenario simulation of EHC caseloads over the statutory rules core.

A scenario file (TOML, ``scenarios.model``) states a council's start state, demand, decisions,
capacity, exception rates and priority policy, each figure sourced or marked assumed. The fast
engine (``scenarios.engine``) steps it week by week with Monte Carlo replications, taking every
statutory date and outcome from ``statutory/``; ``scenarios.results`` summarises, writes CSV
and charts; ``scenarios.compare`` ranks options side by side. See scenarios/README.md.
"""
