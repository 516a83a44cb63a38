-- The Equality Impact Assessment's concern, tracked explicitly: residents aged
-- 65+ and disabled residents must still reach the council by phone or face to
-- face as services move online. Non-digital share over time, with intervals,
-- against everyone else:
--   contacts, by month: the share of contacts by residents aged 65+ made face
--     to face, against all contacts with an age recorded. Contacts record age
--     only, and calls record no age at all, so here "non-digital" can only be
--     face to face (1 - digital share by age band);
--   post-contact survey, by financial year: the share of respondents aged 65+,
--     and of disabled respondents, whose contact was by phone or face to face,
--     against all respondents (the survey is the only source recording disability).
-- Suppression follows kpi_values (same bases): "fewer than 10", never 0.
WITH months AS (
    SELECT month, age_band = '65+' AS older, sum(contacts) AS n, sum(contacts) FILTER (WHERE NOT is_digital) AS x
    FROM int_contacts_monthly WHERE age_band IS NOT NULL GROUP BY ALL
),
m AS (
    SELECT o.month, o.n, coalesce(o.x, 0) AS x, r.n AS rest_n, coalesce(r.x, 0) AS rest_x
    FROM months o JOIN months r ON r.month = o.month AND NOT r.older
    WHERE o.older
),
contacts AS (
    SELECT
        'contacts' AS source, 'month' AS period_type, strftime(m.month, '%Y-%m') AS period, m.month AS period_month,
        'age_band=65+' AS breakdown, 'Residents aged 65+' AS group_name,
        'Face to face (calls record no age)' AS non_digital_channels,
        coalesce(d.suppressed, m.n < 10) AS suppressed, d.suppression,
        m.n AS base_n, m.n::DOUBLE AS base_n_eff, m.x / m.n AS value,
        (m.x + m.rest_x) / (m.n + m.rest_n) AS comparison_value, 'all contacts with an age recorded' AS comparison,
        m.x / m.n - (m.x + m.rest_x) / (m.n + m.rest_n) AS gap,
        stat_two_prop_p(m.x / m.n, m.n, m.rest_x / NULLIF(m.rest_n, 0), m.rest_n) AS p_value
    FROM m
    LEFT JOIN int_kpi_disclosure d
        ON d.kpi_id = 'digital_share' AND d.period = strftime(m.month, '%Y-%m') AND d.breakdown = 'age_band=65+'
),
survey AS (
    SELECT
        'post-contact survey' AS source, g.period_type, g.period, g.period_month, g.breakdown,
        CASE g.breakdown WHEN 'age_band=65+' THEN 'Respondents aged 65+' ELSE 'Disabled respondents' END AS group_name,
        'Phone or face to face' AS non_digital_channels,
        g.suppressed, g.suppression, g.base_n, g.base_n_eff,
        1 - g.value AS value, 1 - g.all_value AS comparison_value, 'all respondents' AS comparison,
        -g.gap AS gap, g.p_value, 1 - g.ci_high AS ci_low_s, 1 - g.ci_low AS ci_high_s
    FROM int_group_gaps g
    WHERE g.measure_id = 'digital_share_survey' AND g.breakdown IN ('age_band=65+', 'disability=Y')
)
SELECT
    source, period_type, period, period_month, breakdown, group_name, non_digital_channels, suppressed, suppression,
    CASE WHEN NOT suppressed THEN base_n END::INTEGER AS base_n,
    CASE WHEN NOT suppressed THEN value END AS value,
    CASE WHEN NOT suppressed THEN stat_wilson_low(value, base_n_eff) END AS ci_low,
    CASE WHEN NOT suppressed THEN stat_wilson_high(value, base_n_eff) END AS ci_high,
    comparison, comparison_value,
    CASE WHEN NOT suppressed THEN gap END AS gap,
    CASE WHEN NOT suppressed THEN p_value END AS p_value,
    CASE WHEN suppression = 'primary' THEN 'fewer than 10'
         WHEN suppressed THEN 'not shown (protects a smaller group)'
         WHEN p_value < 0.05 AND gap > 0 THEN '▲ significantly more than ' || comparison
         WHEN p_value < 0.05 AND gap < 0 THEN '▼ significantly less than ' || comparison
         ELSE '● no significant difference from ' || comparison END AS status_text
FROM (SELECT * EXCLUDE (ci_low_s, ci_high_s) FROM survey UNION ALL BY NAME SELECT * FROM contacts)
ORDER BY source, breakdown, period_month
