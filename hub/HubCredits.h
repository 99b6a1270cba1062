// Credit accounting the hub keeps per user stream and per UDP flow (protocol.md §7.2), so that TCP
// streams and UDP datagrams follow the same rules:
//  - ForwardWindow (hub -> client): unlimited until the client's first grant, then a window of
//    max(first grant, 64) filled with the grant; each data message sent costs one credit. In
//    old-hub mode (initialCredits 0) there is no window: a grant is only a resume.
//  - ReverseGrants (client -> hub): resume_stream{credits:8} after every 8 messages written to
//    the user, and the client's balance for overdraft accounting.
#pragma once

#include "hub/HubEmulator.h"

#include <QtGlobal>

#include <algorithm>

namespace nexustray::hub {

struct ForwardWindow {
    static constexpr qint64 kMinWindow = 64;

    bool active = false; // a grant was received (and credits are enabled)
    qint64 credits = 0;
    qint64 capacity = 0;
    qint64 granted = 0; // every credit the client granted (for maxForwardOutstanding)
    qint64 sent = 0;    // every data message sent to the client, early data included

    bool maySend() const { return !active || credits > 0; }
    bool exhausted() const { return active && credits <= 0; }
    void messageSent() {
        ++sent;
        if (active) {
            --credits;
        }
    }
    // A resume_stream with `grant` credits (already clamped to 2^20).
    void grant(qint64 grant, bool creditsEnabled, HubStats& stats) {
        if (grant <= 0) {
            return;
        }
        granted += grant;
        stats.maxForwardOutstanding = std::max(stats.maxForwardOutstanding, granted - sent);
        if (!creditsEnabled) {
            return; // an old hub knows no forward credits (§7.3)
        }
        if (!active) {
            active = true;
            capacity = std::max(grant, kMinWindow);
            credits = grant;
        } else {
            credits = std::min(credits + grant, capacity);
        }
    }
};

struct ReverseGrants {
    static constexpr int kBatch = 8;

    qint64 clientBalance = 0; // credits the client still holds
    int writtenSinceGrant = 0;

    // One data message from the client arrived; true when it overdrew the client's credits.
    bool received() { return clientBalance-- <= 0; }
    // One message was written to the user; true when a resume_stream{credits:8} is due now.
    bool written() {
        if (++writtenSinceGrant < kBatch) {
            return false;
        }
        writtenSinceGrant -= kBatch;
        clientBalance += kBatch;
        return true;
    }
};

} // namespace nexustray::hub
