//! Progress bars on stderr for the uploads: PyPI files, OCI images (bytes of all blobs, one bar per
//! image) and GitHub Release assets, all in one look.
//!
//! Bars are drawn only when someone watches: stderr is a terminal, `CI` is not set, and `-q` was
//! not given. Otherwise the hooks do nothing, and the results still go to stdout.

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::sync::{Arc, Mutex};

use registry::oci::{BlobTransfer, Digest};

use crate::context::Transfers;
use crate::env::Environment;

/// The bars' one template: name, bar, bytes, rate, time left.
const TEMPLATE: &str = "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}";

/// Whether bars are drawn: on a terminal, outside CI, without `-q`.
pub(crate) fn shown(quiet: bool, stderr_is_terminal: bool, env: &dyn Environment) -> bool {
    !quiet && stderr_is_terminal && !env.flag("CI")
}

/// Whether bars are drawn for this process.
pub(crate) fn shown_here(quiet: bool, env: &dyn Environment) -> bool {
    shown(quiet, std::io::stderr().is_terminal(), env)
}

fn bar(size: u64, name: &str, enabled: bool) -> indicatif::ProgressBar {
    let target = if enabled {
        indicatif::ProgressDrawTarget::stderr()
    } else {
        indicatif::ProgressDrawTarget::hidden()
    };
    let bar = indicatif::ProgressBar::with_draw_target(Some(size), target);
    if let Ok(style) = indicatif::ProgressStyle::with_template(TEMPLATE) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(name.to_owned());
    bar
}

/// The uploads of a run, drawn as bars (or not at all).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bars {
    enabled: bool,
}

impl Bars {
    pub(crate) fn new(enabled: bool) -> Bars {
        Bars { enabled }
    }
}

impl Transfers for Bars {
    fn pypi(&self) -> Arc<dyn registry::pypi::Progress> {
        Arc::new(FileBars::new(self.enabled))
    }

    fn oci(&self, repository: &str) -> Arc<dyn registry::oci::Progress> {
        Arc::new(ImageBar::new(repository, self.enabled))
    }

    fn github(&self) -> Arc<dyn registry::github::Progress> {
        Arc::new(FileBars::new(self.enabled))
    }
}

/// One bar per file, replaced by the next file's (PyPI files, GitHub assets).
#[derive(Debug)]
pub(crate) struct FileBars {
    enabled: bool,
    bar: Mutex<Option<indicatif::ProgressBar>>,
}

impl FileBars {
    pub(crate) fn new(enabled: bool) -> FileBars {
        FileBars {
            enabled,
            bar: Mutex::new(None),
        }
    }

    fn started(&self, name: &str, size: u64) {
        if let Ok(mut bar) = self.bar.lock()
            && let Some(old) = bar.replace(self::bar(size, name, self.enabled))
        {
            old.finish_and_clear();
        }
    }

    fn position(&self, sent: u64) {
        if let Ok(bar) = self.bar.lock()
            && let Some(bar) = bar.as_ref()
        {
            bar.set_position(sent);
        }
    }

    fn finished(&self) {
        if let Ok(mut bar) = self.bar.lock()
            && let Some(bar) = bar.take()
        {
            bar.finish_and_clear();
        }
    }
}

impl registry::pypi::Progress for FileBars {
    fn upload_started(&self, filename: &str, size: u64) {
        self.started(filename, size);
    }

    fn upload_position(&self, _filename: &str, sent: u64) {
        self.position(sent);
    }

    fn finished(&self, _outcome: &registry::pypi::UploadOutcome) {
        FileBars::finished(self);
    }
}

impl registry::github::Progress for FileBars {
    fn upload_started(&self, name: &str, size: u64) {
        self.started(name, size);
    }

    fn upload_position(&self, _name: &str, sent: u64) {
        self.position(sent);
    }

    fn finished(&self, _outcome: &registry::github::AssetOutcome) {
        FileBars::finished(self);
    }
}

/// One bar for an image push: the bytes of all its blobs, those the registry already had (or
/// mounted) counted as done, uploads as they stream (several at once).
#[derive(Debug)]
pub(crate) struct ImageBar {
    bar: indicatif::ProgressBar,
    state: Mutex<ImageState>,
}

#[derive(Debug, Default)]
struct ImageState {
    /// Bytes of finished blobs.
    done: u64,
    /// Where each blob being uploaded stands.
    uploading: HashMap<Digest, u64>,
}

impl ImageBar {
    pub(crate) fn new(repository: &str, enabled: bool) -> ImageBar {
        ImageBar {
            bar: bar(0, repository, enabled),
            state: Mutex::new(ImageState::default()),
        }
    }

    /// Where the bar stands, in bytes.
    #[cfg(test)]
    fn position(&self) -> u64 {
        self.bar.position()
    }

    fn update(&self, change: impl FnOnce(&mut ImageState)) {
        if let Ok(mut state) = self.state.lock() {
            change(&mut state);
            self.bar
                .set_position(state.done + state.uploading.values().sum::<u64>());
        }
    }
}

impl registry::oci::Progress for ImageBar {
    fn push_started(&self, _blobs: usize, bytes: u64) {
        self.bar.set_length(bytes);
        self.bar.reset();
    }

    fn upload_started(&self, digest: &Digest, _size: u64) {
        self.update(|state| {
            state.uploading.insert(digest.clone(), 0);
        });
    }

    fn upload_position(&self, digest: &Digest, position: u64) {
        self.update(|state| {
            state.uploading.insert(digest.clone(), position);
        });
    }

    fn blob_finished(&self, digest: &Digest, size: u64, _transfer: BlobTransfer) {
        self.update(|state| {
            state.uploading.remove(digest);
            state.done += size;
        });
        if self.bar.position() >= self.bar.length().unwrap_or(0) {
            self.bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use registry::oci::Progress as _;

    use super::*;
    use crate::env::FixedEnvironment;

    fn digest(hex: char) -> Digest {
        Digest::parse(&format!("sha256:{}", hex.to_string().repeat(64))).unwrap()
    }

    #[test]
    fn bars_are_drawn_on_a_terminal_only_outside_ci_and_without_quiet() {
        let none = FixedEnvironment::default();
        let ci = FixedEnvironment::with_vars([("CI", "true")]);
        let ci_off = FixedEnvironment::with_vars([("CI", "false")]);
        assert!(shown(false, true, &none));
        assert!(shown(false, true, &ci_off));
        assert!(!shown(false, true, &ci));
        assert!(!shown(true, true, &none));
        assert!(!shown(false, false, &none));
    }

    #[test]
    fn an_image_bar_adds_finished_blobs_and_concurrent_uploads() {
        let bar = ImageBar::new("registry.test/acme/app", false);
        let (config, layer_a, layer_b) = (digest('a'), digest('b'), digest('c'));
        bar.push_started(3, 100 + 1_000 + 2_000);
        bar.blob_finished(&config, 100, BlobTransfer::Skipped);
        assert_eq!(bar.position(), 100);
        bar.upload_started(&layer_a, 1_000);
        bar.upload_started(&layer_b, 2_000);
        bar.upload_position(&layer_a, 400);
        bar.upload_position(&layer_b, 500);
        assert_eq!(bar.position(), 100 + 400 + 500);
        // A lost session starts the blob over: its bytes leave the bar.
        bar.upload_started(&layer_b, 2_000);
        assert_eq!(bar.position(), 100 + 400);
        bar.blob_finished(&layer_a, 1_000, BlobTransfer::Uploaded);
        bar.upload_position(&layer_b, 2_000);
        assert_eq!(bar.position(), 100 + 1_000 + 2_000);
        bar.blob_finished(&layer_b, 2_000, BlobTransfer::Uploaded);
        assert_eq!(bar.position(), 3_100);
    }
}
