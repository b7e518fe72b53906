-- DICOM C-STORE (ingest's DIMSE listener): each hospital sends to its own called AE title, which names the tenant;
-- the listener has no token to read it from. A title belongs to one tenant (it is the key), a tenant may have
-- several (one per site or router). allowed_calling, when set, lists the calling AE titles (modalities, PACS) the
-- hospital sends from; null accepts any. AE titles are at most 16 characters (PS3.5 AE), kept trimmed.
create table tenant_dicom_ae (
    called_ae       varchar(16)   primary key,
    tenant          varchar(63)   not null references tenant (id),
    allowed_calling varchar(16)[] null,
    created_at      timestamptz   not null default now(),
    constraint tenant_dicom_ae_title_ck check (called_ae = btrim(called_ae) and called_ae <> '')
);
create index tenant_dicom_ae_tenant_ix on tenant_dicom_ae (tenant);
