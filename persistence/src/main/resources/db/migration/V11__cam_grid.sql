-- The worker stores the class-activation grid (the last feature map's resolution: 7x7 floats for v2, ~200 bytes)
-- with the result instead of rendering and uploading a PNG for every image; results-service renders the heat map
-- when someone asks for it (issue 14). Rows from before keep their stored PNG (heatmap_key).
alter table analysis add column cam_grid bytea;
alter table analysis add column cam_width smallint;
alter table analysis add column cam_height smallint;
alter table analysis add constraint analysis_cam_grid_shape check (
    (cam_grid is null and cam_width is null and cam_height is null)
    or (cam_width between 1 and 64 and cam_height between 1 and 64 and octet_length(cam_grid) = 4 * cam_width * cam_height));
-- ...and no activation grid either for an image the model did not read
alter table analysis drop constraint analysis_not_applicable_ck;
alter table analysis add constraint analysis_not_applicable_ck
    check (status <> 'NOT_APPLICABLE'
           or (probability is null and positive is null and threshold is null and heatmap_key is null
               and cam_grid is null));
