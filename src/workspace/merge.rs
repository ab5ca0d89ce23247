//! Combining workspaces without losing a profile: a file being imported
//! into the saved one, and two tabs that saved the same storage key.
//!
//! Both are pure: the caller passes the workspaces and gets the result and
//! a list of what needed a decision, to show the user.

use super::profile::{Profile, Workspace};
use std::collections::BTreeSet;

/// What [`import`] did, for the summary shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// Profiles added under their own name.
    pub added: Vec<String>,
    /// Profiles whose name was taken by a different saved profile: added
    /// under a free name instead (`(file name, name given)`).
    pub renamed: Vec<(String, String)>,
    /// Profiles identical to a saved one (nothing to do).
    pub unchanged: Vec<String>,
    pub new_subscriptions: usize,
    pub new_templates: usize,
}

impl ImportReport {
    /// One line for the user.
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("Imported {} new profile(s)", self.added.len())];
        if !self.renamed.is_empty() {
            let renamed: Vec<String> = self
                .renamed
                .iter()
                .map(|(from, to)| format!("\"{from}\" as \"{to}\""))
                .collect();
            parts.push(format!(
                "{} whose name was taken, kept beside the saved one: {}",
                self.renamed.len(),
                renamed.join(", ")
            ));
        }
        if !self.unchanged.is_empty() {
            parts.push(format!("{} already saved", self.unchanged.len()));
        }
        parts.push(format!(
            "{} new subscription(s), {} new template(s)",
            self.new_subscriptions, self.new_templates
        ));
        format!("{}. Nothing saved was overwritten.", parts.join("; "))
    }
}

/// Whether two profiles are the same apart from their identity.
fn same_settings(a: &Profile, b: &Profile) -> bool {
    Profile {
        id: String::new(),
        ..a.clone()
    } == Profile {
        id: String::new(),
        ..b.clone()
    }
}

/// Imports `file` into `saved`: new profiles are added, a profile whose name
/// is taken by a different saved profile is added under a free name, and
/// nothing saved is overwritten. Imported profiles never keep the file's
/// ids (no remembered secret follows a file); the caller assigns new ones.
/// Subscriptions and templates are added when new.
pub fn import(saved: &mut Workspace, file: Workspace) -> ImportReport {
    let mut report = ImportReport::default();
    for mut profile in file.profiles {
        profile.id.clear();
        match saved.profile(&profile.name) {
            Some(existing) if same_settings(existing, &profile) => {
                report.unchanged.push(profile.name);
            }
            Some(_) => {
                let from = profile.name.clone();
                profile.name = saved.free_name(&format!("{from} (imported)"));
                report.renamed.push((from, profile.name.clone()));
                saved.profiles.push(profile);
            }
            None => {
                report.added.push(profile.name.clone());
                saved.profiles.push(profile);
            }
        }
    }
    for subscription in file.subscriptions {
        if !saved
            .subscriptions
            .iter()
            .any(|s| s.filter == subscription.filter)
        {
            saved.subscriptions.push(subscription);
            report.new_subscriptions += 1;
        }
    }
    for template in file.templates {
        if !saved.templates.iter().any(|t| t.name == template.name) {
            saved.templates.push(template);
            report.new_templates += 1;
        }
    }
    report
}

/// The result of [`three_way`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub workspace: Workspace,
    /// What had to be decided (both tabs changed one profile, one deleted a
    /// profile the other edited); shown to the user.
    pub conflicts: Vec<String>,
}

/// Merges what another tab saved (`theirs`) with this tab's workspace
/// (`ours`), both descended from `base` (what this tab last read or wrote).
/// Profiles are matched by id, so renames are followed; a change on one
/// side wins over no change; when both sides changed a profile, or one
/// deleted what the other changed, both versions are kept (never lose a
/// profile). Subscriptions and templates merge by filter and name the same
/// way; the selection is this tab's own.
pub fn three_way(base: &Workspace, ours: &Workspace, theirs: &Workspace) -> Merged {
    let ours = &same_profiles_same_ids(base, ours, theirs);
    let mut conflicts = Vec::new();
    let mut profiles: Vec<Profile> = Vec::new();
    let find = |list: &[Profile], id: &str| list.iter().find(|p| p.id == id).cloned();

    let mut ids: Vec<String> = Vec::new();
    for p in ours.profiles.iter().chain(&theirs.profiles) {
        if !ids.contains(&p.id) {
            ids.push(p.id.clone());
        }
    }
    for id in ids {
        if id.is_empty() {
            continue;
        }
        let (b, o, t) = (
            find(&base.profiles, &id),
            find(&ours.profiles, &id),
            find(&theirs.profiles, &id),
        );
        match (b, o, t) {
            (None, Some(o), None) => profiles.push(o),
            (None, None, Some(t)) => profiles.push(t),
            (None, Some(o), Some(t)) => {
                profiles.push(o.clone());
                if o != t {
                    conflicts.push(format!(
                        "\"{}\" was saved differently in another tab: both versions kept",
                        o.name
                    ));
                    profiles.push(Profile {
                        id: String::new(),
                        ..t
                    });
                }
            }
            (Some(b), Some(o), None) => {
                if o != b {
                    conflicts.push(format!(
                        "\"{}\" was deleted in another tab after you changed it here: kept",
                        o.name
                    ));
                    profiles.push(o);
                }
            }
            (Some(b), None, Some(t)) => {
                if t != b {
                    conflicts.push(format!(
                        "\"{}\" was changed in another tab after you deleted it here: kept",
                        t.name
                    ));
                    profiles.push(t);
                }
            }
            (Some(b), Some(o), Some(t)) => {
                if o == b {
                    profiles.push(t);
                } else if t == b || t == o {
                    profiles.push(o);
                } else {
                    conflicts.push(format!(
                        "\"{}\" was changed here and in another tab: both versions kept",
                        o.name
                    ));
                    profiles.push(o);
                    profiles.push(Profile {
                        id: String::new(),
                        ..t
                    });
                }
            }
            (_, None, None) => {}
        }
    }
    // Profiles without an id (not given one yet) are kept from both sides.
    for p in ours.profiles.iter().chain(&theirs.profiles) {
        if p.id.is_empty() && !profiles.contains(p) {
            profiles.push(p.clone());
        }
    }
    // Names stay unique: a clash gets " (other tab)" and a number.
    let mut names = BTreeSet::new();
    for profile in &mut profiles {
        if !names.insert(profile.name.clone()) {
            let stem = format!("{} (other tab)", profile.name);
            let mut candidate = stem.clone();
            let mut n = 2;
            while names.contains(&candidate) {
                candidate = format!("{stem} {n}");
                n += 1;
            }
            profile.name = candidate.clone();
            names.insert(candidate);
        }
    }

    let mut workspace = ours.clone();
    workspace.profiles = profiles;
    if workspace.profiles.is_empty() {
        workspace.profiles.push(Profile::default());
    }
    workspace.subscriptions = merge_keyed(
        &base.subscriptions,
        &ours.subscriptions,
        &theirs.subscriptions,
        |s| s.filter.clone(),
    );
    workspace.templates = merge_keyed(&base.templates, &ours.templates, &theirs.templates, |t| {
        t.name.clone()
    });
    workspace.history = if ours.history == base.history {
        theirs.history.clone()
    } else {
        ours.history.clone()
    };
    workspace.display = if ours.display == base.display {
        theirs.display.clone()
    } else {
        ours.display.clone()
    };
    if let Some(selected) = &workspace.selected {
        if workspace.profile(selected).is_none() {
            workspace.selected = workspace.profiles.first().map(|p| p.name.clone());
        }
    }
    Merged {
        workspace,
        conflicts,
    }
}

/// Two tabs that gave ids to the same new (or id-less, older) profile each
/// chose their own: a profile new on both sides with equal settings is one
/// profile, and ours takes their id.
fn same_profiles_same_ids(base: &Workspace, ours: &Workspace, theirs: &Workspace) -> Workspace {
    let mut ours = ours.clone();
    let new_in = |list: &Workspace, other: &Workspace, id: &str| {
        base.profile_by_id(id).is_none()
            && other.profile_by_id(id).is_none()
            && !id.is_empty()
            && list.profile_by_id(id).is_some()
    };
    for i in 0..ours.profiles.len() {
        let mine = ours.profiles[i].clone();
        if !new_in(&ours, theirs, &mine.id) {
            continue;
        }
        let twin = theirs
            .profiles
            .iter()
            .find(|t| new_in(theirs, &ours, &t.id) && same_settings(t, &mine))
            .map(|t| t.id.clone());
        if let Some(id) = twin {
            ours.profiles[i].id = id;
        }
    }
    ours
}

/// Three-way merge of a list keyed by `key`: an item added or changed on
/// either side is kept (ours wins a double change), an item deleted on one
/// side and unchanged on the other is dropped. Our order first.
fn merge_keyed<T: Clone + PartialEq>(
    base: &[T],
    ours: &[T],
    theirs: &[T],
    key: impl Fn(&T) -> String,
) -> Vec<T> {
    let by = |list: &[T], k: &str| list.iter().find(|item| key(item) == k).cloned();
    let mut keys: Vec<String> = Vec::new();
    for item in ours.iter().chain(theirs) {
        let k = key(item);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.into_iter()
        .filter_map(|k| match (by(base, &k), by(ours, &k), by(theirs, &k)) {
            (Some(b), Some(o), None) => (o != b).then_some(o),
            (Some(b), None, Some(t)) => (t != b).then_some(t),
            (Some(b), Some(o), Some(t)) => Some(if o == b { t } else { o }),
            (None, Some(o), _) => Some(o),
            (None, None, Some(t)) => Some(t),
            (_, None, None) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::SubscriptionSetting;

    fn profile(id: &str, name: &str, url: &str) -> Profile {
        Profile {
            id: id.into(),
            name: name.into(),
            broker_url: url.into(),
            ..Profile::default()
        }
    }

    fn workspace(profiles: Vec<Profile>) -> Workspace {
        Workspace {
            profiles,
            ..Workspace::default()
        }
    }

    #[test]
    fn import_never_overwrites_a_saved_profile() {
        let mut saved = workspace(vec![profile("a", "Plant", "wss://good/mqtt")]);
        let file = workspace(vec![
            profile("a", "Plant", "wss://evil/mqtt"),
            profile("z", "New", "ws://new/mqtt"),
            profile("a", "Plant copy", "wss://good/mqtt"),
        ]);
        let mut same = file.clone();
        same.profiles = vec![profile("q", "Plant", "wss://good/mqtt")];
        let report = import(&mut saved, file);
        assert_eq!(
            saved.profile("Plant").unwrap().broker_url,
            "wss://good/mqtt"
        );
        assert_eq!(saved.profile("Plant").unwrap().id, "a");
        assert_eq!(
            saved.profile("Plant (imported)").unwrap().broker_url,
            "wss://evil/mqtt"
        );
        assert_eq!(
            report.renamed,
            vec![("Plant".into(), "Plant (imported)".into())]
        );
        assert_eq!(
            report.added,
            vec!["New".to_string(), "Plant copy".to_string()]
        );
        assert!(
            saved.profiles.iter().filter(|p| p.id == "a").count() == 1,
            "imported profiles never keep the file's ids"
        );
        assert!(report.summary().contains("Nothing saved was overwritten"));

        let again = import(&mut saved, same);
        assert_eq!(again.unchanged, vec!["Plant".to_string()]);
    }

    #[test]
    fn two_tabs_adding_profiles_keep_both() {
        let base = workspace(vec![profile("l", "Local", "ws://l/mqtt")]);
        let mut ours = base.clone();
        ours.profiles.push(profile("a", "Ours", "ws://a/mqtt"));
        let mut theirs = base.clone();
        theirs.profiles.push(profile("b", "Theirs", "ws://b/mqtt"));
        let merged = three_way(&base, &ours, &theirs);
        let names: Vec<_> = merged
            .workspace
            .profiles
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["Local", "Ours", "Theirs"]);
        assert!(merged.conflicts.is_empty());
    }

    #[test]
    fn one_sided_changes_and_deletes_apply() {
        let base = workspace(vec![
            profile("l", "Local", "ws://l/mqtt"),
            profile("x", "X", "ws://x/mqtt"),
        ]);
        let ours = base.clone();
        let mut theirs = base.clone();
        theirs.profiles[0].broker_url = "ws://changed/mqtt".into();
        theirs.profiles[0].name = "Renamed".into();
        theirs.profiles.remove(1);
        let merged = three_way(&base, &ours, &theirs);
        assert_eq!(merged.workspace.profiles.len(), 1);
        assert_eq!(merged.workspace.profiles[0].name, "Renamed");
        assert_eq!(merged.workspace.profiles[0].broker_url, "ws://changed/mqtt");
        assert!(merged.conflicts.is_empty());
    }

    #[test]
    fn double_changes_and_edit_versus_delete_keep_every_version() {
        let base = workspace(vec![
            profile("l", "Local", "ws://l/mqtt"),
            profile("x", "X", "ws://x/mqtt"),
        ]);
        let mut ours = base.clone();
        ours.profiles[0].broker_url = "ws://ours/mqtt".into();
        ours.profiles[1].keep_alive_secs = 5;
        let mut theirs = base.clone();
        theirs.profiles[0].broker_url = "ws://theirs/mqtt".into();
        theirs.profiles.remove(1);
        let merged = three_way(&base, &ours, &theirs);
        let urls: Vec<_> = merged
            .workspace
            .profiles
            .iter()
            .map(|p| (p.name.as_str(), p.broker_url.as_str()))
            .collect();
        assert_eq!(
            urls,
            [
                ("Local", "ws://ours/mqtt"),
                ("Local (other tab)", "ws://theirs/mqtt"),
                ("X", "ws://x/mqtt")
            ]
        );
        assert_eq!(merged.conflicts.len(), 2);
        assert_eq!(
            merged.workspace.profiles[1].id, "",
            "the copy gets its own id"
        );
    }

    #[test]
    fn the_same_profile_given_two_ids_by_two_tabs_stays_one() {
        // An older workspace without ids, opened in two tabs at once.
        let base = workspace(vec![profile("", "Local", "ws://l/mqtt")]);
        let ours = workspace(vec![profile("ours-id", "Local", "ws://l/mqtt")]);
        let theirs = workspace(vec![profile("their-id", "Local", "ws://l/mqtt")]);
        let merged = three_way(&base, &ours, &theirs);
        assert_eq!(merged.workspace.profiles.len(), 1);
        assert_eq!(merged.workspace.profiles[0].id, "their-id");
        assert!(merged.conflicts.is_empty());
    }

    #[test]
    fn subscriptions_merge_by_filter() {
        let sub = |filter: &str| SubscriptionSetting {
            filter: filter.into(),
            ..SubscriptionSetting::default()
        };
        let base = Workspace {
            subscriptions: vec![sub("a"), sub("b")],
            ..Workspace::default()
        };
        let mut ours = base.clone();
        ours.subscriptions.push(sub("c"));
        let mut theirs = base.clone();
        theirs.subscriptions.remove(0);
        theirs.subscriptions.push(sub("d"));
        let merged = three_way(&base, &ours, &theirs);
        let filters: Vec<_> = merged
            .workspace
            .subscriptions
            .iter()
            .map(|s| s.filter.as_str())
            .collect();
        assert_eq!(filters, ["b", "c", "d"]);
    }
}
