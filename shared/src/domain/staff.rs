//! Who a member of staff is and what they may do (seeds 001–003): roles,
//! each bound to one office. A staff token carries them as groups named
//! `{role}:{office}` (`clerk:olsztyn`, `office_admin:opava`): Cognito groups in
//! AWS, the same claim in the tokens `local/` issues. Pure.

use crate::domain::ids::OfficeId;

/// What a member of staff does at an office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// At a desk: books for callers, looks up and cancels bookings, lifts blocks.
    Clerk,
    /// Configures the office; may do everything a clerk does.
    OfficeAdmin,
}

impl Role {
    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "clerk" => Some(Role::Clerk),
            "office_admin" => Some(Role::OfficeAdmin),
            _ => None,
        }
    }

    /// Whether holding `self` is enough for work that needs `needed`.
    fn covers(self, needed: Role) -> bool {
        self == needed || self == Role::OfficeAdmin
    }
}

/// One role at one office.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Grant {
    pub role: Role,
    pub office: OfficeId,
}

/// A member of staff, as their verified token names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    /// The token's subject (no name or email: logs may carry it).
    pub subject: String,
    pub grants: Vec<Grant>,
}

impl Staff {
    /// From the token's subject and its groups claim, as API Gateway passes
    /// a JWT authorizer's claims: `[clerk:olsztyn office_admin:opava]`, or a
    /// JSON array, or one group. Groups that are not `{role}:{office}` are ignored.
    pub fn from_claims(subject: &str, groups: &str) -> Self {
        let trimmed = groups.trim();
        let listed: Vec<String> =
            serde_json::from_str::<Vec<String>>(trimmed).unwrap_or_else(|_| {
                trimmed
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .split([' ', ','])
                    .map(str::to_owned)
                    .collect()
            });
        let grants = listed
            .iter()
            .filter_map(|group| {
                let (role, office) = group.trim().split_once(':')?;
                Some(Grant {
                    role: Role::parse(role)?,
                    office: OfficeId::parse(office).ok()?,
                })
            })
            .collect();
        Self {
            subject: subject.to_owned(),
            grants,
        }
    }

    /// Whether they may do work that needs `role` at `office`.
    pub fn may(&self, role: Role, office: &OfficeId) -> bool {
        self.grants
            .iter()
            .any(|g| &g.office == office && g.role.covers(role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office(id: &str) -> OfficeId {
        OfficeId::parse(id).unwrap()
    }

    #[test]
    fn groups_arrive_as_api_gateway_passes_them_or_as_json() {
        for claim in [
            "[clerk:olsztyn office_admin:opava]",
            r#"["clerk:olsztyn","office_admin:opava"]"#,
        ] {
            let staff = Staff::from_claims("u-1", claim);
            assert_eq!(staff.grants.len(), 2, "{claim}");
            assert!(staff.may(Role::Clerk, &office("olsztyn")));
            assert!(staff.may(Role::OfficeAdmin, &office("opava")));
        }
        assert_eq!(Staff::from_claims("u", "clerk:mielec").grants.len(), 1);
    }

    #[test]
    fn a_role_counts_only_at_its_own_office_and_admins_may_do_clerks_work() {
        let staff = Staff::from_claims("u", "[clerk:olsztyn office_admin:opava]");
        assert!(!staff.may(Role::Clerk, &office("mielec")));
        assert!(!staff.may(Role::OfficeAdmin, &office("olsztyn")));
        assert!(staff.may(Role::Clerk, &office("opava")));
    }

    #[test]
    fn groups_that_are_not_a_role_at_an_office_grant_nothing() {
        let staff = Staff::from_claims(
            "u",
            "[admins clerk: :olsztyn janitor:olsztyn clerk:Olsztyn!]",
        );
        assert!(staff.grants.is_empty());
    }
}
