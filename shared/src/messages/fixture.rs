//! A realistic booking at Olsztyn City Hall, named in all four languages, and
//! every message about it, for the message tests.

use crate::domain::booking::{Booking, BookingStatus};
use crate::domain::catalog::{Country, Department, Lang, Office, Service, Text, WeeklyHours};
use crate::domain::codes::ShortCode;
use crate::domain::ids::{DepartmentId, OfficeId, ServiceId};
use crate::domain::national_id::NationalIdKind;
use crate::messages::{Message, ReplyReason, Visit};
use chrono::{DateTime, Duration, NaiveDate, Utc};

pub(crate) fn text(pl: &str, cs: &str, en: &str, uk: &str) -> Text {
    Text(
        [
            (Lang::Pl, pl),
            (Lang::Cs, cs),
            (Lang::En, en),
            (Lang::Uk, uk),
        ]
        .into_iter()
        .map(|(lang, s)| (lang, s.to_owned()))
        .collect(),
    )
}

pub(crate) fn utc(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) struct Fixture {
    pub(crate) office: Office,
    pub(crate) department: Department,
    pub(crate) service: Service,
    pub(crate) booking: Booking,
}

impl Fixture {
    /// An ID card application on Tuesday 24 November 2026, 9:15–9:30 Warsaw time;
    /// the hold was made the day before at 10:00 and runs out at 11:00.
    pub(crate) fn olsztyn(lang: Lang) -> Self {
        let office = Office {
            id: OfficeId::parse("olsztyn").unwrap(),
            name: text(
                "Urząd Miasta Olsztyna",
                "Městský úřad Olštýn",
                "Olsztyn City Hall",
                "Міська рада Ольштина",
            ),
            address: "Plac Jana Pawła II 1, 10-101 Olsztyn".into(),
            country: Country::Pl,
            time_zone: chrono_tz::Europe::Warsaw,
            national_id: NationalIdKind::Pesel,
            person_rule: Default::default(),
            sms_countries: crate::domain::catalog::default_sms_countries(),
            limits: Default::default(),
        };
        let department = Department {
            id: DepartmentId::parse("civil-affairs").unwrap(),
            office_id: office.id.clone(),
            name: text(
                "Wydział Spraw Obywatelskich",
                "Odbor občanských záležitostí",
                "Civil Affairs Department",
                "Відділ у справах громадян",
            ),
            location: text(
                "Parter, stanowiska 1–6",
                "Přízemí, přepážky 1–6",
                "Ground floor, desks 1–6",
                "Перший поверх, вікна 1–6",
            ),
            opens_on: None,
            hours: WeeklyHours::default(),
            closed_on: vec![],
            horizon_days: 30,
            min_notice_minutes: 60,
            walk_up_notice_minutes: None,
            desks_online: 3,
            slot_minutes: 15,
            kiosk: Default::default(),
            weekly_online_cap: None,
            phone_registration: None,
            groups: vec![],
            clerks: vec![],
        };
        let service = Service {
            id: ServiceId::parse("id-card-application").unwrap(),
            office_id: office.id.clone(),
            department_id: department.id.clone(),
            group_id: None,
            name: text(
                "Złożenie wniosku o dowód osobisty",
                "Podání žádosti o občanský průkaz",
                "ID card application",
                "Подання заяви на ID-картку",
            ),
            description: Text::default(),
            required_documents: vec![
                text(
                    "Aktualne zdjęcie 35×45 mm",
                    "Aktuální fotografie 35×45 mm",
                    "A current 35×45 mm photo",
                    "Актуальне фото 35×45 мм",
                ),
                text(
                    "Dotychczasowy dowód osobisty",
                    "Dosavadní občanský průkaz",
                    "Your current ID card",
                    "Чинна ID-картка",
                ),
            ],
            document_templates: vec![],
            visit_minutes: 15,
            bookable: true,
            where_to_go: Text::default(),
            requires_application_number: false,
            allows_lost_document_report: false,
            walk_in: true,
        };
        let mut booking = crate::domain::booking::tests::booking(BookingStatus::Confirmed);
        booking.office_id = office.id.clone();
        booking.department_id = department.id.clone();
        booking.service_id = service.id.clone();
        booking.start = utc("2026-11-24T08:15:00Z");
        booking.end = booking.start + Duration::minutes(15);
        booking.local_date = booking.start.date_naive();
        booking.capacity_units = vec![booking.start];
        booking.created_at = utc("2026-11-23T09:00:00Z");
        booking.hold_expires_at = booking.created_at + Duration::hours(1);
        booking.confirmed_at = Some(booking.created_at + Duration::minutes(10));
        booking.language = lang;
        Self {
            office,
            department,
            service,
            booking,
        }
    }

    pub(crate) fn visit(&self) -> Visit<'_> {
        Visit {
            office: &self.office,
            department: &self.department,
            service: &self.service,
            booking: &self.booking,
        }
    }
}

/// The links a hold email carries (absolute, with `&` to escape in HTML).
pub(crate) const CONFIRM_URL: &str = "https://termin.example.pl/potwierdz?booking=01ARZ3NDEKTSV4RRFFQ69G5FAV&token=Xq2v9dM0rYkz3nB7pQ1wLs8tUe4aHcJf6gViK5oN_PY";
pub(crate) const CANCEL_URL: &str = "https://termin.example.pl/anuluj?booking=01ARZ3NDEKTSV4RRFFQ69G5FAV&token=Zt7Qw3eR9yU1iO5pA2sD8fG4hJ6kL0zXcVbNm_Lk-Q0";

pub(crate) fn code(raw: &str) -> ShortCode {
    ShortCode::parse(raw).unwrap()
}

/// The first day online booking works again after the fixture's visit is missed.
pub(crate) fn bookable_again() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, 12).unwrap()
}

/// Every kind that has an email form, about `visit`.
pub(crate) fn email_kinds(visit: Visit<'_>) -> Vec<Message<'_>> {
    vec![
        Message::HoldCreated {
            visit,
            confirm_url: CONFIRM_URL.into(),
            confirm_code: code("K7M4PX"),
            cancel_url: CANCEL_URL.into(),
        },
        Message::Confirmed {
            visit,
            cancel_url: CANCEL_URL.into(),
        },
        Message::Cancelled { visit },
        Message::Expired { visit },
        Message::Reminder {
            visit,
            cancel_url: CANCEL_URL.into(),
        },
        Message::NoShowBlock {
            visit,
            blocked_until: bookable_again(),
        },
        Message::CancelLink {
            visit,
            cancel_url: CANCEL_URL.into(),
        },
    ]
}

/// Every reply reason: each wrong-code count from 0 to 25, and the largest.
pub(crate) fn reasons() -> Vec<ReplyReason> {
    let mut reasons = vec![
        ReplyReason::UnknownNumber,
        ReplyReason::CodeLocked,
        ReplyReason::Expired,
        ReplyReason::AlreadyConfirmed,
        ReplyReason::Cancelled,
    ];
    reasons.extend((0..=25).map(|tries_left| ReplyReason::WrongCode { tries_left }));
    reasons.push(ReplyReason::WrongCode {
        tries_left: u32::MAX,
    });
    reasons
}

/// Every message an SMS can carry for this visit.
pub(crate) fn sms_kinds(visit: Visit<'_>) -> Vec<Message<'_>> {
    let mut all = email_kinds(visit);
    all.retain(|m| !matches!(m, Message::CancelLink { .. }));
    for reason in reasons() {
        all.push(Message::SmsReply {
            reason,
            visit: Some(visit),
        });
        all.push(Message::SmsReply {
            reason,
            visit: None,
        });
    }
    all
}

/// Fixtures whose times take the most characters: two-digit hours and days.
pub(crate) fn long_fixtures(lang: Lang) -> Vec<Fixture> {
    let mut late = Fixture::olsztyn(lang);
    late.booking.start = utc("2026-12-28T14:45:00Z");
    late.booking.end = late.booking.start + chrono::Duration::minutes(45);
    late.booking.hold_expires_at = utc("2026-12-20T22:59:00Z");
    vec![Fixture::olsztyn(lang), late]
}
