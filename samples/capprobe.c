#define _GNU_SOURCE
/* Capability probes: each argument is one step that makes one real syscall
 * a capability check may guard, and prints its outcome ("STEP -> ok" or
 * "STEP -> EPERM"). tests/integration/test_caps_inference.py records
 * combinations of steps and checks the capabilities the trace infers
 * against the outcomes printed here.
 *
 * Steps (numbers in decimal, modes in octal):
 *   create:PATH:MODE        open(O_CREAT|O_EXCL) and close
 *   chown:PATH:UID:GID      chown (-1 keeps a value); lchown:...; fchown:...
 *   chmod:PATH:MODE         chmod
 *   read:PATH  write:PATH   open O_RDONLY / O_WRONLY and close
 *   unlink:PATH
 *   mkfifo:PATH  mknod-chr:PATH   mknod of a fifo / of /dev/null's device
 *   bind:PORT  bind6:PORT   TCP bind on 127.0.0.1 / ::1
 *   raw  packet  unixraw    socket(AF_INET, SOCK_RAW, ICMP), AF_PACKET,
 *                           socket(AF_UNIX, SOCK_RAW): the last needs nothing
 *   prio:N                  setsockopt(SO_PRIORITY, N) on a UDP socket
 *   setuid:UID  setgid:GID  setresuid:R:E:S  setfsuid:UID  setgroups:G,G,...
 *   kill:PID:SIG
 *   rlimit-raise  rlimit-same   raise the NOFILE hard limit by one / set it
 *                           to its current value
 *   nice:INC                nice(INC)
 *   unshare-uts  unshare-user-uts   unshare(CLONE_NEWUTS[|CLONE_NEWUSER])
 *   chroot:PATH
 *   rtnl-lo-up  ioctl-lo-up   bring `lo` up by routing netlink / SIOCSIFFLAGS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef ETH_P_ALL
#define ETH_P_ALL 0x0003
#endif

static const char *errname(int e)
{
        switch (e) {
        case 0:
                return "ok";
        case EPERM:
                return "EPERM";
        case EACCES:
                return "EACCES";
        case ENOENT:
                return "ENOENT";
        case EEXIST:
                return "EEXIST";
        case EINVAL:
                return "EINVAL";
        case EADDRINUSE:
                return "EADDRINUSE";
        case ESRCH:
                return "ESRCH";
        default:
                return strerror(e);
        }
}

/* Split "a:b:c" in place into at most max fields. */
static int split(char *s, char **f, int max)
{
        int n = 0;
        while (n < max) {
                f[n++] = s;
                s = strchr(s, ':');
                if (!s)
                        break;
                *s++ = '\0';
        }
        return n;
}

static int sock_close(int fd)
{
        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}

static int do_bind(int family, int port)
{
        int s = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return errno;
        int rc;
        if (family == AF_INET) {
                struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
                in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                rc = bind(s, (struct sockaddr *)&in, sizeof in);
        } else {
                struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
                in6.sin6_addr = in6addr_loopback;
                rc = bind(s, (struct sockaddr *)&in6, sizeof in6);
        }
        int e = rc < 0 ? errno : 0;
        close(s);
        return e;
}

static int rtnl_lo_up(void)
{
        int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (s < 0)
                return errno;
        struct {
                struct nlmsghdr nh;
                struct ifinfomsg ifi;
        } req;
        memset(&req, 0, sizeof req);
        req.nh.nlmsg_len = sizeof req;
        req.nh.nlmsg_type = RTM_NEWLINK;
        req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        req.nh.nlmsg_seq = 1;
        req.ifi.ifi_family = AF_UNSPEC;
        req.ifi.ifi_index = (int)if_nametoindex("lo");
        req.ifi.ifi_flags = IFF_UP;
        req.ifi.ifi_change = IFF_UP;
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        if (sendto(s, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
                int e = errno;
                close(s);
                return e;
        }
        char buf[4096];
        ssize_t n = recv(s, buf, sizeof buf, 0);
        int e = n < 0 ? errno : EIO;
        if (n >= (ssize_t)(sizeof(struct nlmsghdr) + sizeof(struct nlmsgerr))) {
                struct nlmsghdr *h = (struct nlmsghdr *)buf;
                if (h->nlmsg_type == NLMSG_ERROR)
                        e = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
        }
        close(s);
        return e;
}

/* SO_PRIORITY above 6 needs CAP_NET_ADMIN (net/core/sock.c): the value is
 * in memory, an int behind setsockopt's fourth argument. */
static int set_priority(int prio)
{
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return errno;
        int e = setsockopt(s, SOL_SOCKET, SO_PRIORITY, &prio, sizeof prio) < 0 ? errno : 0;
        close(s);
        return e;
}

static int ioctl_lo_up(void)
{
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return errno;
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
        int e = 0;
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                e = errno;
        ifr.ifr_flags |= IFF_UP;
        if (!e && ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                e = errno;
        close(s);
        return e;
}

static int step(char *arg)
{
        char *f[5] = { 0 };
        int n = split(arg, f, 5);
        const char *op = f[0];
#define NEED(k)                                                                                                        \
        do {                                                                                                           \
                if (n < (k)) {                                                                                         \
                        fprintf(stderr, "capprobe: %s: missing argument\n", op);                                       \
                        exit(2);                                                                                       \
                }                                                                                                      \
        } while (0)
        if (!strcmp(op, "create")) {
                NEED(3);
                int fd = open(f[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)strtol(f[2], NULL, 8));
                return sock_close(fd);
        }
        if (!strcmp(op, "chown") || !strcmp(op, "lchown") || !strcmp(op, "fchown")) {
                NEED(4);
                uid_t u = (uid_t)atoi(f[2]);
                gid_t g = (gid_t)atoi(f[3]);
                if (!strcmp(op, "chown"))
                        return chown(f[1], u, g) < 0 ? errno : 0;
                if (!strcmp(op, "lchown"))
                        return lchown(f[1], u, g) < 0 ? errno : 0;
                int fd = open(f[1], O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return errno;
                int e = fchown(fd, u, g) < 0 ? errno : 0;
                close(fd);
                return e;
        }
        if (!strcmp(op, "chmod")) {
                NEED(3);
                return chmod(f[1], (mode_t)strtol(f[2], NULL, 8)) < 0 ? errno : 0;
        }
        if (!strcmp(op, "read") || !strcmp(op, "write")) {
                NEED(2);
                return sock_close(open(f[1], (op[0] == 'r' ? O_RDONLY : O_WRONLY) | O_CLOEXEC));
        }
        if (!strcmp(op, "unlink")) {
                NEED(2);
                return unlink(f[1]) < 0 ? errno : 0;
        }
        if (!strcmp(op, "mkfifo")) {
                NEED(2);
                return mknod(f[1], S_IFIFO | 0600, 0) < 0 ? errno : 0;
        }
        if (!strcmp(op, "mknod-chr")) {
                NEED(2);
                return mknod(f[1], S_IFCHR | 0600, makedev(1, 3)) < 0 ? errno : 0;
        }
        if (!strcmp(op, "bind") || !strcmp(op, "bind6")) {
                NEED(2);
                return do_bind(op[4] == '6' ? AF_INET6 : AF_INET, atoi(f[1]));
        }
        if (!strcmp(op, "raw"))
                return sock_close(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
        if (!strcmp(op, "packet"))
                return sock_close(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
        if (!strcmp(op, "unixraw"))
                return sock_close(socket(AF_UNIX, SOCK_RAW | SOCK_CLOEXEC, 0));
        if (!strcmp(op, "prio")) {
                NEED(2);
                return set_priority(atoi(f[1]));
        }
        if (!strcmp(op, "setuid")) {
                NEED(2);
                return setuid((uid_t)atoi(f[1])) < 0 ? errno : 0;
        }
        if (!strcmp(op, "setgid")) {
                NEED(2);
                return setgid((gid_t)atoi(f[1])) < 0 ? errno : 0;
        }
        if (!strcmp(op, "setresuid")) {
                NEED(4);
                return setresuid((uid_t)atoi(f[1]), (uid_t)atoi(f[2]), (uid_t)atoi(f[3])) < 0 ? errno : 0;
        }
        if (!strcmp(op, "setfsuid")) {
                NEED(2);
                /* setfsuid reports no error: compare the previous value. */
                uid_t want = (uid_t)atoi(f[1]);
                setfsuid(want);
                return (uid_t)setfsuid((uid_t)-1) == want ? 0 : EPERM;
        }
        if (!strcmp(op, "setgroups")) {
                gid_t g[32];
                size_t ng = 0;
                for (char *p = n > 1 ? f[1] : ""; *p && ng < 32;) {
                        g[ng++] = (gid_t)strtoul(p, &p, 10);
                        if (*p == ',')
                                p++;
                }
                return setgroups(ng, g) < 0 ? errno : 0;
        }
        if (!strcmp(op, "kill")) {
                NEED(3);
                return kill(atoi(f[1]), atoi(f[2])) < 0 ? errno : 0;
        }
        if (!strcmp(op, "rlimit-raise") || !strcmp(op, "rlimit-same")) {
                struct rlimit rl;
                if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                        return errno;
                if (op[7] == 'r')
                        rl.rlim_max++;
                return setrlimit(RLIMIT_NOFILE, &rl) < 0 ? errno : 0;
        }
        if (!strcmp(op, "nice")) {
                NEED(2);
                errno = 0;
                int v = nice(atoi(f[1]));
                return v == -1 && errno ? errno : 0;
        }
        if (!strcmp(op, "unshare-uts"))
                return unshare(CLONE_NEWUTS) < 0 ? errno : 0;
        if (!strcmp(op, "unshare-user-uts"))
                return unshare(CLONE_NEWUSER | CLONE_NEWUTS) < 0 ? errno : 0;
        if (!strcmp(op, "chroot")) {
                NEED(2);
                return chroot(f[1]) < 0 ? errno : 0;
        }
        if (!strcmp(op, "rtnl-lo-up"))
                return rtnl_lo_up();
        if (!strcmp(op, "ioctl-lo-up"))
                return ioctl_lo_up();
        fprintf(stderr, "capprobe: unknown step '%s'\n", op);
        exit(2);
}

int main(int argc, char **argv)
{
        for (int i = 1; i < argc; i++) {
                char *copy = strdup(argv[i]);
                if (!copy)
                        return 1;
                int e = step(copy);
                printf("%s -> %s\n", argv[i], errname(e));
                fflush(stdout);
                free(copy);
        }
        return 0;
}
