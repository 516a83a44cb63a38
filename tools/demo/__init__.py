"""Synthetic demo extracts for every source: `python -m pipelines demo-data`.

One module per job:
  cli          the `demo-data` command (options, summary)
  generate     runs the generators (calls and contacts in parallel on big runs), writes _demo_faults.json
  calibration  every calibrated figure, with its source
  calls, contacts, costs, complaints, surveys, workforce, action_plan
               one generator per source (workforce also writes the training completions)
  weighting    rim weights for the resident survey
  faults       planting and recording faults
  calendar, formats, randomness, refdata, writer, context
               shared plumbing: dates and working days, fast text formatting, seeded streams and
               pseudonyms, reference tables, CSV/xlsx delivery, per-run state
"""
