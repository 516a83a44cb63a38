-- The monthly figures SPC (XmR) charts are drawn from (fct_kpi_spc): every KPI
-- of cadence monthly in the catalogue, overall and by each breakdown not under
-- disclosure control (ref_disclosure_dimensions: a survey KPI only overall),
-- complete months only, figures published (not suppressed) and inside the KPI's
-- valid range (a data problem is not a point of the process). One series per
-- KPI and breakdown.
SELECT a.kpi_id, a.breakdown, a.period, a.period_month, a.value, a.target, k.polarity
FROM int_kpi_all a
JOIN ref_kpis k USING (kpi_id)
JOIN int_periods p ON p.period = a.period AND p.is_complete
WHERE k.cadence = 'monthly' AND a.value IS NOT NULL AND NOT a.out_of_range
  AND NOT EXISTS (SELECT 1 FROM ref_disclosure_dimensions d
                  WHERE d.dimension = split_part(a.breakdown, '=', 1)
                    AND (d.controlled_for = 'all' OR k.kind = 'survey'))
