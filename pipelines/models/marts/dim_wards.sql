SELECT ward_code, ward_name, former_name, population_census_2021, population_mid_2024 FROM ref_wards ORDER BY ward_name
