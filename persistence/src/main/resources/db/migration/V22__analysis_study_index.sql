-- Study-level results (issue 15): the delivery of a study's result reads every analysis of that study of the tenant.
create index analysis_tenant_study_ix on analysis (tenant, study_instance_uid) where study_instance_uid is not null;
