// A client-go informer + workqueue loop written for bench/footprint.js: it sets status.state on every object of
// one custom resource that has none, as the kubeop operator of the same bench does, so the two can be compared.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/workqueue"
)

var statusPatch = []byte(`{"status":{"state":"created"}}`)

type loop struct {
	resource dynamic.NamespaceableResourceInterface
	store    cache.Store
	queue    workqueue.TypedRateLimitingInterface[string]
	handled  atomic.Int64
	writes   atomic.Int64
}

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig file")
	namespace := flag.String("namespace", "", "namespace to watch (all when empty)")
	group := flag.String("group", "example.kubeop.dev", "API group")
	version := flag.String("version", "v1alpha1", "API version")
	plural := flag.String("plural", "testobjects", "resource plural")
	workers := flag.Int("workers", 10, "objects handled at once")
	flag.Parse()

	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail("loading %s: %v", *kubeconfig, err)
	}
	// No client-side rate limit: kubeop has none, and client-go's default of 5 per second would make the storm a wait.
	config.QPS = -1
	client, err := dynamic.NewForConfig(config)
	if err != nil {
		fail("client: %v", err)
	}
	gvr := schema.GroupVersionResource{Group: *group, Version: *version, Resource: *plural}
	factory := dynamicinformer.NewFilteredDynamicSharedInformerFactory(client, 0, *namespace, nil)
	informer := factory.ForResource(gvr).Informer()
	// What controller-runtime does by default and kubeop too: managedFields are not kept in the cache.
	if err := informer.SetTransform(stripManagedFields); err != nil {
		fail("transform: %v", err)
	}
	l := &loop{
		resource: client.Resource(gvr),
		store:    informer.GetStore(),
		queue:    workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
	}
	enqueue := func(object interface{}) {
		if key, err := cache.MetaNamespaceKeyFunc(object); err == nil {
			l.queue.Add(key)
		}
	}
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, object interface{}) { enqueue(object) },
	}); err != nil {
		fail("event handler: %v", err)
	}

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		fail("the cache did not sync")
	}
	// SIGUSR2: print the heap after a collection and the counters, the figures the bench reads. Caught before
	// "synced" is printed: the bench probes right after it, and uncaught, SIGUSR2 ends a Go program.
	probe := make(chan os.Signal, 1)
	signal.Notify(probe, syscall.SIGUSR2)
	fmt.Printf("synced %d objects\n", len(l.store.ListKeys()))
	for i := 0; i < *workers; i++ {
		go func() {
			for l.next(ctx) {
			}
		}()
	}

	for {
		select {
		case <-ctx.Done():
			l.queue.ShutDown()
			return
		case <-probe:
			runtime.GC()
			var memory runtime.MemStats
			runtime.ReadMemStats(&memory)
			fmt.Printf("probe heap=%d handled=%d writes=%d running=%d cached=%d\n", memory.HeapAlloc,
				l.handled.Load(), l.writes.Load(), l.queue.Len(), len(l.store.ListKeys()))
		}
	}
}

// next handles one key from the queue; false once the queue is shut down.
func (l *loop) next(ctx context.Context) bool {
	key, shutdown := l.queue.Get()
	if shutdown {
		return false
	}
	defer l.queue.Done(key)
	if err := l.reconcile(ctx, key); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", key, err)
		l.queue.AddRateLimited(key)
		return true
	}
	l.queue.Forget(key)
	return true
}

// reconcile skips an object already handled (status.state set) and writes the status of any other.
func (l *loop) reconcile(ctx context.Context, key string) error {
	item, exists, err := l.store.GetByKey(key)
	if err != nil || !exists {
		return err
	}
	object := item.(*unstructured.Unstructured)
	if state, _, _ := unstructured.NestedString(object.Object, "status", "state"); state != "" {
		return nil
	}
	l.handled.Add(1)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = l.resource.Namespace(object.GetNamespace()).
		Patch(ctx, object.GetName(), types.MergePatchType, statusPatch, metav1.PatchOptions{}, "status")
	if err == nil {
		l.writes.Add(1)
	}
	return err
}

func stripManagedFields(item interface{}) (interface{}, error) {
	if object, ok := item.(metav1.Object); ok {
		object.SetManagedFields(nil)
	}
	return item, nil
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}
