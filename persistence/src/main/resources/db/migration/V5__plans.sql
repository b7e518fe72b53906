-- Subscription plans (issue 9): the catalogue the platform operator assigns from. A tenant row keeps its own copy
-- of the limits (copied when the plan changes, then possibly overridden), so editing a plan never silently changes
-- what an existing hospital bought.
create table plan (
    id                     varchar(32)  primary key,
    name                   varchar(100) not null,
    monthly_allowance      integer      not null check (monthly_allowance >= 0),
    max_uploads_per_minute integer      not null check (max_uploads_per_minute >= 0),
    -- priority class: URGENT studies per minute that may use the inference workers' urgent lane
    urgent_per_minute      integer      not null check (urgent_per_minute >= 0),
    overage_policy         varchar(16)  not null,
    description            text,
    constraint plan_overage_ck check (overage_policy in ('ACCEPT', 'REJECT'))
);

insert into plan (id, name, monthly_allowance, max_uploads_per_minute, urgent_per_minute, overage_policy, description)
values ('trial', 'Trial', 500, 30, 0, 'REJECT',
        'Evaluation: 500 studies a month, nothing beyond; URGENT studies are analysed in the routine lane.'),
       ('standard', 'Standard', 20000, 600, 60, 'ACCEPT',
        'A hospital: 20 000 studies a month, overage billed; up to 60 URGENT studies a minute in the urgent lane.'),
       ('enterprise', 'Enterprise', 200000, 3000, 300, 'ACCEPT',
        'A hospital group: 200 000 studies a month, overage billed; up to 300 URGENT studies a minute in the urgent lane.');

-- null valid_from: valid from onboarding. Existing tenants keep their limits; they are all on 'standard'.
alter table tenant add column valid_from        timestamptz;
alter table tenant add column urgent_per_minute integer not null default 60;
alter table tenant add constraint tenant_plan_fk foreign key (plan) references plan (id);
