"""The emulated Raspberry Pi: a QEMU arm64 `virt` machine driven from outside.

QEMU's monitor (QMP) takes screendumps and pulls the plug; QEMU's guest
agent runs commands inside (no ssh, no login); the serial console, with
the kernel's messages and the journal, goes to a log file.  The network is
QEMU's user network with restrict=on: the guest reaches nothing but, when
a feed port is given, http://10.0.2.100:8080/ forwarded to that port on
this machine's loopback."""
import base64
import json
import os
import signal
import socket
import subprocess
import time

FEED_HOST = "10.0.2.100:8080"


class Channel:
    """One JSON-per-line socket: QMP or the guest agent."""

    def __init__(self, path, timeout):
        end = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > end:
                    raise
                time.sleep(0.2)
        self.buf = b""

    def send(self, obj):
        self.sock.sendall(json.dumps(obj).encode() + b"\n")

    def recv(self, timeout):
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("channel closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        line = line.lstrip(b"\xff")
        return json.loads(line) if line.strip() else None

    def close(self):
        self.sock.close()


class VM:
    def __init__(self, work, disk, kernel, initrd, mem=1024, size=(1280, 800),
                 rtc="utc", feed_port=None, name="boot"):
        self.work, self.name = work, name
        self.qmp_path = os.path.join(work, name + ".qmp")
        self.qga_path = os.path.join(work, name + ".qga")
        self.serial = os.path.join(work, name + ".serial.log")
        for p in (self.qmp_path, self.qga_path):
            if os.path.exists(p):
                os.unlink(p)
        net = "user,id=n0,restrict=on"
        if feed_port:
            net += (",guestfwd=tcp:%s-cmd:socat STDIO TCP:127.0.0.1:%d"
                    % (FEED_HOST, feed_port))
        self.argv = [
            "qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72",
            "-accel", "tcg,thread=multi", "-smp", "2", "-m", str(mem),
            "-nodefaults", "-no-user-config", "-display", "none",
            "-kernel", kernel, "-initrd", initrd,
            "-append", "root=/dev/vda rw console=ttyAMA0 loglevel=4 consoleblank=0",
            "-drive", "file=%s,if=none,format=raw,id=d0" % disk,
            "-device", "virtio-blk-pci,drive=d0",
            "-device", "virtio-gpu-pci,xres=%d,yres=%d" % size,
            "-netdev", net, "-device", "virtio-net-pci,netdev=n0,romfile=",
            "-chardev", "socket,id=qga0,path=%s,server=on,wait=off" % self.qga_path,
            "-device", "virtio-serial-pci",
            "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
            "-serial", "file:" + self.serial,
            "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
            "-rtc", "base=" + rtc,
        ]
        self.proc = None
        self.qmp = self.qga = None

    def start(self):
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=open(os.path.join(self.work, self.name + ".qemu.log"), "w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.qmp = Channel(self.qmp_path, 30)
        self.qmp.recv(30)  # greeting
        self.qmp_cmd("qmp_capabilities")

    def qmp_cmd(self, name, **args):
        self.qmp.send({"execute": name, "arguments": args} if args else {"execute": name})
        while True:
            r = self.qmp.recv(60)
            if r and ("return" in r or "error" in r):
                if "error" in r:
                    raise RuntimeError("QMP %s: %s" % (name, r["error"]))
                return r["return"]

    def wait_agent(self, timeout):
        """Seconds from start until the guest agent answers, or None."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return None
            try:
                if self.qga is None:
                    self.qga = Channel(self.qga_path, 5)
                n = int(time.time() * 1000) % 1000000
                self.qga.send({"execute": "guest-sync", "arguments": {"id": n}})
                r = self.qga.recv(3)
                while r is None or r.get("return") != n:
                    r = self.qga.recv(3)
                return time.monotonic() - self.started
            except (OSError, EOFError, ValueError):
                if self.qga:
                    self.qga.close()
                self.qga = None
                time.sleep(1)
        return None

    def agent(self, name, timeout=60, **args):
        self.qga.send({"execute": name, "arguments": args} if args else {"execute": name})
        r = self.qga.recv(timeout)
        if "error" in r:
            raise RuntimeError("guest agent %s: %s" % (name, r["error"]))
        return r["return"]

    def sh(self, cmd, timeout=120, stdin=None):
        """Runs cmd with /bin/sh in the guest: (exit status, stdout+stderr)."""
        args = {"path": "/bin/sh", "arg": ["-c", cmd], "capture-output": True}
        if stdin is not None:
            args["input-data"] = base64.b64encode(stdin.encode()).decode()
        pid = self.agent("guest-exec", **args)["pid"]
        end = time.monotonic() + timeout
        while True:
            st = self.agent("guest-exec-status", pid=pid)
            if st.get("exited"):
                out = base64.b64decode(st.get("out-data", "")) + base64.b64decode(st.get("err-data", ""))
                return st.get("exitcode", -1), out.decode("utf-8", "replace")
            if time.monotonic() > end:
                return -1, "timed out"
            time.sleep(0.3)

    def out(self, cmd, timeout=120):
        return self.sh(cmd, timeout)[1].strip()

    def write(self, path, text):
        rc, out = self.sh("cat > %s.new && mv %s.new %s" % (path, path, path), stdin=text)
        if rc != 0:
            raise RuntimeError("cannot write %s in the guest: %s" % (path, out))

    def screendump(self, path):
        """The display's picture: PPM, or PNG when path ends in .png."""
        if os.path.exists(path):
            os.unlink(path)
        if path.endswith(".png"):
            self.qmp_cmd("screendump", filename=path, format="png")
        else:
            self.qmp_cmd("screendump", filename=path)
        return path

    def pull_plug(self):
        """Power cut: QEMU dies at once; what the guest had not written is lost."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.close()

    def close(self):
        for c in (self.qmp, self.qga):
            if c:
                c.close()
        self.qmp = self.qga = None

    def shutdown(self, timeout=90):
        if not self.proc or self.proc.poll() is not None:
            return
        try:
            self.agent("guest-shutdown", timeout=5, mode="powerdown")
        except (OSError, EOFError, RuntimeError, ValueError):
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        self.pull_plug()
