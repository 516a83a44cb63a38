SELECT service_code, service_name, directorate FROM ref_services ORDER BY directorate, service_name
