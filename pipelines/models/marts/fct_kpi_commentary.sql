-- What a KPI's owner says about the measure in a period (kpi_commentary, data
-- contract s2): one note per KPI and period, the latest delivered. Every row
-- here passed expectations/kpi_commentary.json (at most 1,000 characters of
-- plain text; no e-mail address, phone number, titled name, postcode or
-- National Insurance number; owner_role a role). Notes are about the KPI's
-- overall figure: `has_figure` says whether kpi_values publishes one for that
-- period (a note on a period with no figure is kept but not shown). No figure
-- or status is carried here: pages take those from kpi_values as ever.
SELECT c.kpi_id, c.period, c.owner_role, c.text, c.written_on,
       k.name AS kpi_name, k.cadence,
       v.kpi_id IS NOT NULL AS has_figure
FROM stg_kpi_commentary c
JOIN ref_kpis k ON k.kpi_id = c.kpi_id
LEFT JOIN int_kpi_all v ON v.kpi_id = c.kpi_id AND v.period = c.period AND v.breakdown = ''
ORDER BY c.kpi_id, c.period
