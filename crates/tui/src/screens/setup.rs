//! «Первоначальная настройка» on the console: the body, the administrator, the network, the
//! time zone and the SMEV exchange, on one screen. It runs before anyone can sign in (the
//! operator's `volost setup`, started by systemd on tty1), so it is a small program of its
//! own beside [`crate::app::App`]: its state, `handle_key`, and `ui::setup::draw`.
//!
//! Saving is the caller's: the screen hands over [`Answers`] and shows what came back, field by
//! field where the fault has a field.

use crate::keymap::{self, Cmd, Ctx};
use crate::widgets::TextInput;
use crossterm::event::KeyEvent;
use volost_api::setup::{Answers, Network, SIGNERS, SigningNow, ZONES, label};
use volost_api::{FieldError, NewOrg};

/// One line of the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Name,
    Oktmo,
    Ogrn,
    Inn,
    Admin,
    Password,
    Repeat,
    Network,
    Address,
    Gateway,
    Dns,
    Zone,
    Endpoint,
    Signer,
    Container,
    ContainerPassword,
    Pkcs11Module,
    Pkcs11Token,
    Pkcs11KeyId,
    Pkcs11Pin,
    SignCommand,
    Cert,
}

impl Item {
    const ALL: [Item; 22] = [
        Item::Name,
        Item::Oktmo,
        Item::Ogrn,
        Item::Inn,
        Item::Admin,
        Item::Password,
        Item::Repeat,
        Item::Network,
        Item::Address,
        Item::Gateway,
        Item::Dns,
        Item::Zone,
        Item::Endpoint,
        Item::Signer,
        Item::Container,
        Item::ContainerPassword,
        Item::Pkcs11Module,
        Item::Pkcs11Token,
        Item::Pkcs11KeyId,
        Item::Pkcs11Pin,
        Item::SignCommand,
        Item::Cert,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Item::Name => label::NAME,
            Item::Oktmo => label::OKTMO,
            Item::Ogrn => label::OGRN,
            Item::Inn => label::INN,
            Item::Admin => label::ADMIN,
            Item::Password => label::PASSWORD,
            Item::Repeat => label::REPEAT,
            Item::Network => label::NETWORK,
            Item::Address => label::ADDRESS,
            Item::Gateway => label::GATEWAY,
            Item::Dns => label::DNS,
            Item::Zone => label::ZONE,
            Item::Endpoint => label::ENDPOINT,
            Item::Container => label::CONTAINER,
            Item::ContainerPassword => label::CONTAINER_PASSWORD,
            Item::Signer => label::SIGNER,
            Item::Pkcs11Module => label::PKCS11_MODULE,
            Item::Pkcs11Token => label::PKCS11_TOKEN,
            Item::Pkcs11KeyId => label::PKCS11_KEY_ID,
            Item::Pkcs11Pin => label::PKCS11_PIN,
            Item::SignCommand => label::SIGN_COMMAND,
            Item::Cert => label::CERT,
        }
    }

    /// The heading of the part of the screen the line opens, if it opens one.
    pub fn heading(self) -> Option<&'static str> {
        match self {
            Item::Name => Some("Орган"),
            Item::Admin => Some("Администратор"),
            Item::Network => Some("Сеть и время"),
            Item::Endpoint => Some("Обмен СМЭВ"),
            _ => None,
        }
    }

    /// Said under the screen while the line has the focus.
    pub fn hint(self) -> &'static str {
        match self {
            Item::Name => "Полное наименование, как в уставе: оно стоит в запросах и документах.",
            Item::Oktmo => "8 или 11 цифр; по нему СМЭВ и портал находят орган.",
            Item::Ogrn => "13 цифр.",
            Item::Inn => "10 цифр юридического лица.",
            Item::Admin => "Под этим логином администратор входит в систему.",
            Item::Password => "Не короче 8 символов, не только цифры, не совпадает с логином.",
            Item::Repeat => "Тот же пароль ещё раз.",
            Item::Network => "← → : DHCP или постоянный адрес.",
            Item::Address => "Например 192.168.1.20/24.",
            Item::Gateway => "Адрес маршрутизатора в той же сети.",
            Item::Dns => "Через пробел; можно оставить пустым.",
            Item::Zone => "← → : местное время сельсовета.",
            Item::Endpoint => {
                "Адрес шлюза СМЭВ, например http://smev3-n0.test.gosuslugi.ru:7500/smev/v1.2/ws; \
                 пусто — обмен выключен."
            }
            Item::Container => {
                "Файл .p12 с ключом и сертификатом ЭП-ОВ; пусто — оставить как есть. Его \
                 подпись — несертифицированное СКЗИ, только для проверки."
            }
            Item::ContainerPassword => "Пароль, которым защищён контейнер.",
            Item::Signer => {
                "← → : чем узел подписывает ЭП-ОВ. Для работы — токен или сертифицированная \
                 программа; контейнер — только для проверки."
            }
            Item::Pkcs11Module => {
                "Библиотека PKCS#11 производителя токена, например /usr/lib/librtpkcs11ecp.so."
            }
            Item::Pkcs11Token => "Метка токена, как её показывает pkcs11-tool -L.",
            Item::Pkcs11KeyId => "Идентификатор (CKA_ID) ключа на токене, например 01.",
            Item::Pkcs11Pin => {
                "PIN-код пользователя токена; пусто — оставить сохранённый. При сохранении \
                 токен подписывает один раз для проверки."
            }
            Item::SignCommand => {
                "Программа подписи и её параметры через пробел: получает хеш, выдаёт подпись."
            }
            Item::Cert => "Файл сертификата ЭП-ОВ узла (для токена — если его нет на токене).",
        }
    }

    pub(crate) fn secret(self) -> bool {
        matches!(
            self,
            Item::Password | Item::Repeat | Item::ContainerPassword | Item::Pkcs11Pin
        )
    }

    fn choice(self) -> bool {
        matches!(self, Item::Network | Item::Zone | Item::Signer)
    }

    /// The line of a field error from the daemon or the checks, by its field name.
    fn of_field(name: &str) -> Option<Item> {
        match name {
            // The daemon's own names for the body and the password.
            "Наименование" => Some(Item::Name),
            "Пароль" => Some(Item::Password),
            "Имя пользователя" | "Администратор" => Some(Item::Admin),
            _ => Item::ALL.into_iter().find(|i| i.label() == name),
        }
    }
}

/// What the screen starts from.
#[derive(Clone, Debug, Default)]
pub struct Start {
    pub org: NewOrg,
    pub admin_login: String,
    pub network: Network,
    pub time_zone: Option<String>,
    pub smev_endpoint: String,
    pub container: String,
    pub signing: SigningNow,
    /// The setup was done once: it may be left without saving.
    pub cancellable: bool,
    /// The node's address now, for the installer to note.
    pub address_now: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Saved,
    Cancelled,
}

pub struct SetupView {
    values: Vec<TextInput>,
    errors: Vec<Option<String>>,
    pub focus: Item,
    pub dhcp: bool,
    pub zone: usize,
    /// Who signs, in [`SIGNERS`].
    pub signer: usize,
    pub cancellable: bool,
    pub address_now: Option<String>,
    /// The whole save's fault, or a word to the user.
    pub message: Option<String>,
    /// After saving: what was done, until a key is pressed.
    pub done: Option<Vec<String>>,
    pub outcome: Option<Outcome>,
}

impl SetupView {
    pub fn new(s: Start) -> SetupView {
        let mut v = SetupView {
            values: vec![TextInput::default(); Item::ALL.len()],
            errors: vec![None; Item::ALL.len()],
            focus: Item::Name,
            dhcp: s.network == Network::Dhcp,
            // Barnaul is the demo's; a new machine asks anyway.
            zone: s
                .time_zone
                .and_then(|z| ZONES.iter().position(|x| x.name == z))
                .or_else(|| ZONES.iter().position(|x| x.name == "Europe/Moscow"))
                .unwrap_or(0),
            signer: SIGNERS
                .iter()
                .position(|x| *x == s.signing.signer)
                .unwrap_or(0),
            cancellable: s.cancellable,
            address_now: s.address_now,
            message: None,
            done: None,
            outcome: None,
        };
        v.set(Item::Name, s.org.name);
        v.set(Item::Oktmo, s.org.oktmo);
        v.set(Item::Ogrn, s.org.ogrn);
        v.set(Item::Inn, s.org.inn);
        v.set(Item::Admin, s.admin_login);
        if let Network::Static {
            address,
            gateway,
            dns,
        } = s.network
        {
            v.set(Item::Address, address);
            v.set(Item::Gateway, gateway);
            v.set(Item::Dns, dns.join(" "));
        }
        v.set(Item::Endpoint, s.smev_endpoint);
        v.set(Item::Container, s.container);
        let n = s.signing;
        v.set(Item::Pkcs11Module, n.pkcs11_module);
        v.set(Item::Pkcs11Token, n.pkcs11_token);
        v.set(Item::Pkcs11KeyId, n.pkcs11_key_id);
        v.set(Item::SignCommand, n.sign_command);
        v.set(Item::Cert, n.cert);
        v
    }

    fn at(i: Item) -> usize {
        Item::ALL.iter().position(|x| *x == i).unwrap_or(0)
    }

    pub fn set(&mut self, i: Item, value: String) {
        self.values[Self::at(i)] = value.into();
    }

    pub fn value(&self, i: Item) -> &str {
        &self.values[Self::at(i)]
    }

    /// A paste into the focused text line, as one line.
    pub fn paste(&mut self, text: &str) {
        if !self.focus.choice() {
            let at = Self::at(self.focus);
            self.values[at].paste(text, false);
            self.errors[at] = None;
        }
    }

    /// The line being typed of a text item (`None` for a choice).
    pub fn input(&self, i: Item) -> Option<&TextInput> {
        (!i.choice()).then(|| &self.values[Self::at(i)])
    }

    pub fn error(&self, i: Item) -> Option<&str> {
        self.errors[Self::at(i)].as_deref()
    }

    /// The lines shown: the static address's only without DHCP, the signer's own only.
    pub fn items(&self) -> Vec<Item> {
        let signer = self.signer_code();
        Item::ALL
            .into_iter()
            .filter(|i| !(self.dhcp && matches!(i, Item::Address | Item::Gateway | Item::Dns)))
            .filter(|i| match i {
                Item::Container | Item::ContainerPassword => signer == "engine",
                Item::Pkcs11Module | Item::Pkcs11Token | Item::Pkcs11KeyId | Item::Pkcs11Pin => {
                    signer == "pkcs11"
                }
                Item::SignCommand => signer == "command",
                Item::Cert => signer != "engine",
                _ => true,
            })
            .collect()
    }

    fn signer_code(&self) -> &'static str {
        SIGNERS[self.signer.min(SIGNERS.len() - 1)]
    }

    /// What the line shows: the typed text (dots for a password), or the choice.
    pub fn shown(&self, i: Item) -> String {
        match i {
            Item::Network if self.dhcp => "DHCP (адрес от маршрутизатора)".into(),
            Item::Network => "Постоянный адрес".into(),
            Item::Signer => match self.signer_code() {
                "pkcs11" => "Токен (PKCS#11)".into(),
                "command" => "Сертифицированная программа подписи".into(),
                _ => "Контейнер .p12 — только для проверки".into(),
            },
            Item::Zone => {
                let z = &ZONES[self.zone.min(ZONES.len() - 1)];
                format!("{} (UTC{})", z.city, z.offset)
            }
            i if i.secret() => "•".repeat(self.value(i).chars().count()),
            i => self.value(i).to_string(),
        }
    }

    pub fn answers(&self) -> Answers {
        let v = |i| self.value(i).trim().to_string();
        Answers {
            org: NewOrg {
                name: v(Item::Name),
                short_name: String::new(),
                oktmo: v(Item::Oktmo),
                ogrn: v(Item::Ogrn),
                inn: v(Item::Inn),
                ..Default::default()
            },
            admin_login: v(Item::Admin),
            admin_password: self.value(Item::Password).to_string(),
            network: if self.dhcp {
                Network::Dhcp
            } else {
                Network::Static {
                    address: v(Item::Address),
                    gateway: v(Item::Gateway),
                    dns: self
                        .value(Item::Dns)
                        .split([' ', ','])
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                }
            },
            time_zone: ZONES[self.zone.min(ZONES.len() - 1)].name.to_string(),
            smev_endpoint: v(Item::Endpoint),
            container: v(Item::Container),
            container_password: self.value(Item::ContainerPassword).to_string(),
            signer: self.signer_code().into(),
            pkcs11_module: v(Item::Pkcs11Module),
            pkcs11_token: v(Item::Pkcs11Token),
            pkcs11_key_id: v(Item::Pkcs11KeyId),
            pkcs11_pin: self.value(Item::Pkcs11Pin).to_string(),
            sign_command: v(Item::SignCommand),
            cert: v(Item::Cert),
        }
    }

    /// Faults of the save, put next to their lines; the focus goes to the first of them.
    pub fn show_errors(&mut self, errs: &[FieldError], message: Option<String>) {
        let mut first = None;
        let mut loose = Vec::new();
        for e in errs {
            match Item::of_field(&e.field) {
                Some(i) => {
                    self.errors[Self::at(i)] = Some(e.message.clone());
                    if first.is_none_or(|f| Self::at(i) < Self::at(f)) {
                        first = Some(i);
                    }
                }
                None => loose.push(format!("{}: {}", e.field, e.message)),
            }
        }
        if let Some(i) = first {
            self.focus = i;
        }
        self.message = message.or_else(|| (!loose.is_empty()).then(|| loose.join("; ")));
    }

    fn move_focus(&mut self, forward: bool) {
        let items = self.items();
        let at = items.iter().position(|i| *i == self.focus).unwrap_or(0);
        let next = if forward {
            (at + 1) % items.len()
        } else {
            (at + items.len() - 1) % items.len()
        };
        self.focus = items[next];
    }

    fn choose(&mut self, forward: bool) {
        match self.focus {
            Item::Network => self.dhcp = !self.dhcp,
            Item::Signer => {
                let n = SIGNERS.len();
                self.signer = if forward {
                    (self.signer + 1) % n
                } else {
                    (self.signer + n - 1) % n
                };
            }
            Item::Zone => {
                let n = ZONES.len();
                self.zone = if forward {
                    (self.zone + 1) % n
                } else {
                    (self.zone + n - 1) % n
                };
            }
            _ => {}
        }
        self.errors[Self::at(self.focus)] = None;
    }

    /// A key; `save` is called with the answers on «Сохранить» and says what was done, or
    /// what is wrong.
    pub fn handle_key(
        &mut self,
        key: KeyEvent,
        save: &mut dyn FnMut(&Answers) -> Result<Vec<String>, Refusal>,
    ) {
        if self.done.is_some() {
            self.outcome = Some(Outcome::Saved);
            return;
        }
        // In a text line the editing keys are the text's (`widgets::TextInput`); Ctrl and Alt
        // chords are not text (Ctrl+Shift switches the layout on the console).
        let at = Self::at(self.focus);
        if !self.focus.choice() && self.values[at].edit(&key) {
            self.errors[at] = None;
            return;
        }
        match keymap::lookup(Ctx::Setup, key) {
            Some(Cmd::NextField) => self.move_focus(true),
            Some(Cmd::PrevField) => self.move_focus(false),
            Some(Cmd::NextChoice) => self.choose(true),
            Some(Cmd::PrevChoice) => self.choose(false),
            Some(Cmd::Save) => self.save(save),
            Some(Cmd::Back) | Some(Cmd::Quit) => {
                if self.cancellable {
                    self.outcome = Some(Outcome::Cancelled);
                } else {
                    self.message = Some(
                        "Без первоначальной настройки у администратора нет пароля: \
                         заполните поля и сохраните (F2)."
                            .into(),
                    );
                }
            }
            _ => {}
        }
    }

    fn save(&mut self, save: &mut dyn FnMut(&Answers) -> Result<Vec<String>, Refusal>) {
        self.errors.iter_mut().for_each(|e| *e = None);
        self.message = None;
        if self.value(Item::Password) != self.value(Item::Repeat) {
            self.show_errors(
                &[FieldError {
                    field: label::REPEAT.into(),
                    message: "Пароли не совпадают".into(),
                }],
                None,
            );
            return;
        }
        // What the screen can check itself, at once; the saver checks it all again and opens
        // the key container, which needs the node's cryptography.
        let a = self.answers();
        let errs = a.check_form();
        if !errs.is_empty() {
            self.show_errors(&errs, None);
            return;
        }
        match save(&a) {
            Ok(lines) => self.done = Some(lines),
            Err(r) => self.show_errors(&r.fields, r.message),
        }
    }
}

/// Why the save did not happen: faults by field, or one for the whole.
#[derive(Debug, Default)]
pub struct Refusal {
    pub fields: Vec<FieldError>,
    pub message: Option<String>,
}
