"""Published aggregate survey results (CMS HCAHPS, NHS England FFT) and where a unit stands
among its peers.

- model: the ``benchmark_results`` table and how published cells are read;
- cms, nhs: the published layouts; imports: reading files into the table, with a report;
- guard: the check that stops a published results file being read as patient responses;
- stats: percentile ranks with intervals and funnel limits against completed surveys;
- choices: where the results are (the source, or ``[benchmarks] location``), what they offer
  (:func:`ptx.benchmark_choices`) and which unit is the organisation's;
- api, figures: the facade's :func:`ptx.benchmark` call, its result and its charts;
- summary: the unit's published results as catalog measures (:func:`ptx.published_results`),
  for ``ptx kpis`` and the board pack;
- demo: the synthetic benchmark set ``ptx demo`` writes.

This package imports nothing at import time, so :mod:`ptx.ingest` can use its guard.
"""
